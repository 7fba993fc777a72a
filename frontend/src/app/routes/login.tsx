import { useEffect } from "react";
import { useLocation, useSearch } from "wouter";
import { AuthLayout } from "@/components/layout/auth-layout";
import { Skeleton } from "@/components/ui/skeleton";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useProviders } from "@/features/auth/api/get-providers";
import { ForgotPassword } from "@/features/auth/components/forgot-password";
import { LoginForm } from "@/features/auth/components/login-form";
import { ProviderButtons } from "@/features/auth/components/provider-buttons";

/** Only same-site paths: `next` must not send anyone to another origin. */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  if (raw.startsWith("/login") || raw.startsWith("/setup") || raw.startsWith("/invite") || raw.startsWith("/reset-password")) return "/";
  return raw;
}

export default function LoginPage() {
  useDocumentTitle("Sign in");
  const search = useSearch();
  const [, navigate] = useLocation();
  const next = safeNext(new URLSearchParams(search).get("next"));
  const { data, isPending } = useProviders();

  useEffect(() => {
    if (data?.setup_required) navigate("/setup", { replace: true });
  }, [data, navigate]);

  return (
    <AuthLayout title="Sign in" description="Welcome back to Downlink.">
      {isPending ? (
        <div className="grid gap-3">
          <Skeleton className="h-9" />
          <Skeleton className="h-9" />
          <Skeleton className="h-9" />
        </div>
      ) : (
        <div className="grid gap-5">
          {data?.local !== false && <LoginForm onSignedIn={() => navigate(next, { replace: true })} />}
          {data?.local !== false && <ForgotPassword help={data?.password_help} />}
          {data && data.providers.length > 0 && (
            <>
              {data.local !== false && (
                <div className="flex items-center gap-3 text-xs text-muted-foreground">
                  <span className="h-px flex-1 bg-border" /> or <span className="h-px flex-1 bg-border" />
                </div>
              )}
              <ProviderButtons providers={data.providers} next={next} />
            </>
          )}
        </div>
      )}
    </AuthLayout>
  );
}

import { useEffect } from "react";
import { useLocation } from "wouter";
import { AuthLayout } from "@/components/layout/auth-layout";
import { Skeleton } from "@/components/ui/skeleton";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useProviders } from "@/features/auth/api/get-providers";
import { SetupForm } from "@/features/auth/components/setup-form";

export default function SetupPage() {
  useDocumentTitle("First-run setup");
  const [, navigate] = useLocation();
  const { data, isPending } = useProviders();

  useEffect(() => {
    if (data && !data.setup_required) navigate("/login", { replace: true });
  }, [data, navigate]);

  return (
    <AuthLayout
      title="Set up Downlink"
      description="Create the first administrator. The setup token is in the server's log (setup_token)."
    >
      {isPending ? <Skeleton className="h-72" /> : <SetupForm onDone={() => navigate("/", { replace: true })} />}
    </AuthLayout>
  );
}

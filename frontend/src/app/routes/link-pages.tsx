import { useLocation } from "wouter";
import { AuthLayout } from "@/components/layout/auth-layout";
import { useDocumentTitle } from "@/lib/use-document-title";
import { LinkPasswordForm } from "@/features/auth/components/link-password-form";

export function InvitePage() {
  useDocumentTitle("Accept invitation");
  const [, navigate] = useLocation();
  return (
    <AuthLayout title="Welcome to Downlink" description="Choose a password to finish your account.">
      <LinkPasswordForm kind="invite" onDone={() => navigate("/", { replace: true })} />
    </AuthLayout>
  );
}

export function ResetPasswordPage() {
  useDocumentTitle("Reset password");
  const [, navigate] = useLocation();
  return (
    <AuthLayout title="Choose a new password" description="Your other sessions will be signed out.">
      <LinkPasswordForm kind="reset" onDone={() => navigate("/", { replace: true })} />
    </AuthLayout>
  );
}

export default InvitePage;

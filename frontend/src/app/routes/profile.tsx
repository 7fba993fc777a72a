import { PageHeader } from "@/components/layout/page-header";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useMe } from "@/features/auth/api/get-me";
import { PasswordForm } from "@/features/auth/components/password-form";
import { ProfileForm } from "@/features/auth/components/profile-form";
import { SessionsCard } from "@/features/auth/components/sessions-card";

export default function ProfilePage() {
  useDocumentTitle("Profile");
  const { data: me } = useMe();
  if (!me) return null;
  return (
    <>
      <PageHeader title="Profile" description="Your name, avatar, password and signed-in devices." />
      <div className="grid gap-4 lg:grid-cols-2">
        <ProfileForm me={me} />
        {me.user.auth_source === "local" && <PasswordForm />}
        <div className="lg:col-span-2">
          <SessionsCard />
        </div>
      </div>
    </>
  );
}

import { useMemo } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useSearchState } from "@/lib/use-search-state";
import { CreateApiKeyDialog } from "@/features/api-keys/components/create-api-key-dialog";
import { ApiKeysList } from "@/features/api-keys/components/api-keys-list";
import { useMe } from "@/features/auth/api/get-me";
import { useUserDirectory } from "@/features/users/api/list-users";

const defaults = { view: "mine" };
const allowed = { view: ["mine", "all"] };

export default function ApiKeysPage() {
  useDocumentTitle("API keys");
  const { data: me } = useMe();
  const isAdmin = me?.role === "admin";
  const [state, setState] = useSearchState(defaults, allowed);
  const all = isAdmin && state.view === "all";
  const users = useUserDirectory(all);
  const ownerLabel = useMemo(() => {
    const byId = new Map((users.data ?? []).map((u) => [u.id, u.name ? `${u.name} (${u.email})` : u.email]));
    return (id: string) => (id === me?.user.id ? "you" : (byId.get(id) ?? id));
  }, [users.data, me?.user.id]);
  if (!me) return null;
  return (
    <>
      <PageHeader title="API keys" description="Keys let scripts and other programs use Downlink's API as you, within the scopes you give them.">
        <CreateApiKeyDialog availableScopes={me.auth.scopes} />
      </PageHeader>
      {isAdmin ? (
        <Tabs value={state.view} onValueChange={(v) => setState({ view: v })} className="grid grid-cols-1 gap-4">
          <TabsList aria-label="Whose keys" className="justify-self-start">
            <TabsTrigger value="mine">My keys</TabsTrigger>
            <TabsTrigger value="all">All keys</TabsTrigger>
          </TabsList>
          <TabsContent value="mine">
            <ApiKeysList all={false} availableScopes={me.auth.scopes} />
          </TabsContent>
          <TabsContent value="all">
            <ApiKeysList all ownerLabel={ownerLabel} availableScopes={me.auth.scopes} />
          </TabsContent>
        </Tabs>
      ) : (
        <ApiKeysList all={false} availableScopes={me.auth.scopes} />
      )}
    </>
  );
}

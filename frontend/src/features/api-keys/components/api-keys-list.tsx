import { KeyRoundIcon } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import type { Schemas } from "@/lib/api/client";
import { useApiKeys } from "@/features/api-keys/api/list-api-keys";
import { ApiKeyRow } from "@/features/api-keys/components/api-key-row";
import { ApiKeyUsageSheet } from "@/features/api-keys/components/api-key-usage-sheet";
import type { Scope } from "@/features/api-keys/utils/scopes";

/** Your keys (or, for an admin's "all keys", everyone's, with the owner). */
export function ApiKeysList({
  all,
  ownerLabel,
  availableScopes,
}: {
  all: boolean;
  ownerLabel?: (userId: string) => string;
  availableScopes: readonly Scope[];
}) {
  const q = useApiKeys(all);
  const [usageOf, setUsageOf] = useState<Schemas["APIKey"] | null>(null);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardContent className="py-1 sm:py-1">
        {q.isPending ? (
          <div className="grid gap-3 py-3" aria-busy="true" aria-label="Loading API keys">
            {[0, 1, 2].map((i) => (
              <Skeleton key={i} className="h-20" />
            ))}
          </div>
        ) : items.length === 0 ? (
          <EmptyState icon={KeyRoundIcon} title={all ? "Nobody has an API key yet" : "You have no API keys yet"} className="my-4">
            Create one to let a script, Home Assistant or another program download and fetch files as you.
          </EmptyState>
        ) : (
          <ul className="divide-y" aria-label="API keys" data-testid="api-keys-list">
            {items.map((k) => (
              <ApiKeyRow key={k.id} apiKey={k} owner={all ? ownerLabel?.(k.user_id) : undefined} availableScopes={availableScopes} onUsage={setUsageOf} />
            ))}
          </ul>
        )}
        {q.hasNextPage && (
          <div className="flex justify-center border-t py-3">
            <Button variant="outline" onClick={() => q.fetchNextPage()} disabled={q.isFetchingNextPage}>
              {q.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          </div>
        )}
      </CardContent>
      <ApiKeyUsageSheet apiKey={usageOf} onClose={() => setUsageOf(null)} />
    </Card>
  );
}

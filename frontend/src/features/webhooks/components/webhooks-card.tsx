import { PlusIcon, WebhookIcon } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import type { Schemas } from "@/lib/api/client";
import { useCreateWebhook } from "@/features/webhooks/api/create-webhook";
import { useWebhooks } from "@/features/webhooks/api/list-webhooks";
import { type UserOption, WebhookFormDialog } from "@/features/webhooks/components/webhook-form-dialog";
import { WebhookRow } from "@/features/webhooks/components/webhook-row";
import { WebhookSecretDialog } from "@/features/webhooks/components/webhook-secret-dialog";

/** The webhooks: list, create (then the secret, once), and each one's deliveries. */
export function WebhooksCard({ users }: { users: UserOption[] }) {
  const { data, isPending } = useWebhooks();
  const create = useCreateWebhook();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Schemas["WebhookCreated"] | null>(null);
  return (
    <Card>
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
        <div className="grid gap-1">
          <CardTitle>Webhooks</CardTitle>
          <CardDescription>Tell other programs when downloads complete, fail or are canceled. Failed deliveries are retried with backoff.</CardDescription>
        </div>
        <Button onClick={() => setCreating(true)}>
          <PlusIcon aria-hidden /> Add webhook
        </Button>
      </CardHeader>
      <CardContent>
        {isPending ? (
          <Skeleton className="h-24" />
        ) : !data || data.length === 0 ? (
          <EmptyState icon={WebhookIcon} title="No webhooks yet">
            Add one to have Downlink call a URL, signed with a secret only you and the receiver know.
          </EmptyState>
        ) : (
          <ul className="divide-y" aria-label="Webhooks" data-testid="webhooks-list">
            {data.map((w) => (
              <WebhookRow key={w.id} webhook={w} users={users} />
            ))}
          </ul>
        )}
      </CardContent>
      <WebhookFormDialog
        users={users}
        open={creating}
        onOpenChange={setCreating}
        onSubmit={async (body) => {
          const w = await create.mutateAsync(body);
          setCreating(false);
          setCreated(w);
        }}
      />
      <WebhookSecretDialog created={created} onClose={() => setCreated(null)} />
    </Card>
  );
}

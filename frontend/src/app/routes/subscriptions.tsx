import { toast } from "sonner";
import { PageHeader } from "@/components/layout/page-header";
import { Card, CardContent } from "@/components/ui/card";
import { useDocumentTitle } from "@/lib/use-document-title";
import { useCreateSubscription } from "@/features/subscriptions/api/create-subscription";
import { SubscriptionForm } from "@/features/subscriptions/components/subscription-form";
import { SubscriptionsList } from "@/features/subscriptions/components/subscriptions-list";

export default function SubscriptionsPage() {
  useDocumentTitle("Subscriptions");
  const create = useCreateSubscription();
  return (
    <>
      <PageHeader
        title="Subscriptions"
        description="Follow a channel, playlist or podcast feed: Downlink checks it every few hours and downloads what is new."
      />
      <Card>
        <CardContent className="pt-4 sm:pt-5">
          <SubscriptionForm
            onSubmit={async (body) => {
              const s = await create.mutateAsync(body);
              toast.success("Subscribed", { description: "Its first check runs now." + (s.name !== s.url ? ` ${s.name}` : "") });
            }}
          />
        </CardContent>
      </Card>
      <SubscriptionsList />
    </>
  );
}

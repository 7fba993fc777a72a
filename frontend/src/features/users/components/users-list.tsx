import { UsersIcon, XIcon } from "lucide-react";
import { useDeferredValue, useMemo, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { notifyError } from "@/lib/api/errors";
import { ApiError, type Problem } from "@/lib/api/problem";
import { useUsers } from "@/features/users/api/list-users";
import { type UserUsage, UserRow } from "@/features/users/components/user-row";
import { toUsersParams, type UserFilters } from "@/features/users/components/users-toolbar";

/**
 * The users matching the filters. A 409 (the change would leave no active
 * admin) is shown as a banner above the list rather than a passing toast,
 * since it asks the admin to do something else first.
 */
export function UsersList({
  filters,
  meId,
  usage,
  defaultQuota,
}: {
  filters: UserFilters;
  meId: string;
  usage: Map<string, UserUsage>;
  defaultQuota: number | null | undefined;
}) {
  const deferred = useDeferredValue(filters);
  const params = useMemo(() => toUsersParams(deferred), [deferred]);
  const q = useUsers(params);
  const [conflict, setConflict] = useState<Problem | null>(null);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = filters.q.trim() !== "" || filters.role !== "all" || filters.status !== "all";
  const onError = (err: unknown) => {
    if (err instanceof ApiError && err.status === 409) setConflict(err.problem);
    else notifyError(err);
  };
  return (
    <div className="grid gap-3">
      {conflict && (
        <Alert
          variant="destructive"
          role="alert"
          title={conflict.title}
          data-testid="users-conflict"
          action={
            <Button variant="ghost" size="icon-sm" aria-label="Dismiss" onClick={() => setConflict(null)}>
              <XIcon aria-hidden />
            </Button>
          }
        >
          {conflict.detail ?? "That change is not possible right now."}
        </Alert>
      )}
      <Card>
        <CardContent className="py-1 sm:py-1">
          {q.isPending ? (
            <div className="grid gap-3 py-3" aria-busy="true" aria-label="Loading users">
              {[0, 1, 2].map((i) => (
                <Skeleton key={i} className="h-16" />
              ))}
            </div>
          ) : items.length === 0 ? (
            <EmptyState icon={UsersIcon} title={filtered ? "No users match" : "No users yet"} className="my-4">
              {filtered ? "Try other filters." : "People appear here once they sign in."}
            </EmptyState>
          ) : (
            <ul className="divide-y" aria-label="Users" data-testid="users-list">
              {items.map((u) => (
                <UserRow key={u.id} user={u} isMe={u.id === meId} usage={usage.get(u.id)} defaultQuota={defaultQuota} onError={onError} />
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
      </Card>
    </div>
  );
}

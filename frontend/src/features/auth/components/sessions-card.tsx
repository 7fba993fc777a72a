import { LaptopIcon, LogOutIcon, SmartphoneIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useDeleteSession } from "@/features/auth/api/delete-session";
import { useSessions } from "@/features/auth/api/list-sessions";

/** "Firefox on Linux" from a User-Agent, good enough to recognise a device. */
export function describeAgent(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : /curl\//.test(ua)
            ? "curl"
            : "Browser";
  const os = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Windows/.test(ua)
        ? "Windows"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : "";
  return os ? `${browser} on ${os}` : browser;
}

export function SessionsCard() {
  const { data, isPending } = useSessions();
  const del = useDeleteSession();
  return (
    <Card>
      <CardHeader>
        <CardTitle>Active sessions</CardTitle>
        <CardDescription>Every browser signed in to your account. Sign out the ones you don't recognise.</CardDescription>
      </CardHeader>
      <CardContent>
        {isPending ? (
          <div className="grid gap-2">
            <Skeleton className="h-14" />
            <Skeleton className="h-14" />
          </div>
        ) : (
          <ul className="divide-y" aria-label="Sessions">
            {data?.items.map((s) => {
              const Icon = /Android|iPhone|iPad|Mobile/.test(s.user_agent ?? "") ? SmartphoneIcon : LaptopIcon;
              return (
                <li key={s.id} className="flex flex-wrap items-center gap-3 py-3" data-testid="session-row">
                  <Icon className="size-5 text-muted-foreground" aria-hidden />
                  <div className="min-w-0 flex-1">
                    <p className="flex flex-wrap items-center gap-2 font-medium">
                      {describeAgent(s.user_agent)}
                      {s.current && <Badge variant="success">This device</Badge>}
                    </p>
                    <p className="text-xs text-muted-foreground">
                      {s.ip ?? "unknown IP"} · signed in {formatDateTime(s.created_at)} · last seen {formatRelative(s.last_seen_at)}
                    </p>
                  </div>
                  <Button
                    variant="outline"
                    size="sm"
                    disabled={del.isPending}
                    onClick={() => del.mutate({ id: s.id, current: s.current })}
                    aria-label={`Sign out ${describeAgent(s.user_agent)}${s.current ? " (this device)" : ""}`}
                  >
                    <LogOutIcon aria-hidden /> Sign out
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}

import { KeyRoundIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import type { Schemas } from "@/lib/api/client";

/** One link per OIDC provider; they come back to `next` after signing in. */
export function ProviderButtons({ providers, next }: { providers: Schemas["AuthProvider"][]; next: string }) {
  if (providers.length === 0) return null;
  return (
    <div className="grid gap-2">
      {providers.map((p) => {
        const sep = p.login_url.includes("?") ? "&" : "?";
        return (
          <Button key={p.id} variant="outline" asChild className="w-full">
            <a href={`${p.login_url}${sep}return_to=${encodeURIComponent(next)}`}>
              <KeyRoundIcon aria-hidden /> Sign in with {p.name}
            </a>
          </Button>
        );
      })}
    </div>
  );
}

import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, type Schemas, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export type Platform = Schemas["Platform"];
export type PlatformInfo = Schemas["PlatformInfo"];

/** The platforms the server knows (GET /platforms): names, labels, hosts, and whether each takes downloads. */
export const listPlatforms = () => unwrap(api.GET("/api/v1/platforms"));

export const platformsQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.platforms, queryFn: listPlatforms, select: (d) => d.items, staleTime: 5 * 60_000 });

/** The platform registry, from the server (empty until it loads). */
export function usePlatforms(): PlatformInfo[] {
  return useQuery(platformsQueryOptions()).data ?? [];
}

/** How the dashboard names a platform: the registry's label, else its name. */
export function usePlatformLabel(name: Platform): string {
  return usePlatforms().find((p) => p.name === name)?.label ?? name;
}

/** The platform of every site without its own entry. */
const generic: Platform = "generic";

/**
 * Which platform a typed URL belongs to, by the server's rule and with its
 * table (`platforms`, from GET /platforms): the exact host (lower case, no
 * trailing dot), or a URI scheme such as `spotify:`. A host with
 * credentials or a port other than 80/443 is no platform's, as on the
 * server. Returns null while the text is not a URL yet, "generic" for any
 * other http(s) site. Tolerates a missing scheme ("youtu.be/abc") because
 * people paste that.
 */
export function detectPlatform(input: string, platforms: readonly PlatformInfo[]): Platform | null {
  const text = input.trim();
  if (!text) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):(?!\/\/)(.+)$/i.exec(text);
  if (scheme) {
    const owner = platforms.find((p) => p.schemes.includes(scheme[1].toLowerCase()));
    if (owner) return owner.name;
    if (!/^[a-z0-9.-]+\.[a-z]{2,}$|^localhost$/i.test(scheme[1])) return null; // javascript:…, mailto:…
  }
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (!host.includes(".") && host !== "localhost") return null;
  if (url.username || url.password || (url.port !== "" && url.port !== "80" && url.port !== "443")) return generic;
  return platforms.find((p) => p.hosts.includes(host))?.name ?? generic;
}

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { queryKeys } from "@/lib/query-keys";
import { platformRegistry } from "@/test/fixtures";

/**
 * Renders with a fresh QueryClient (no retries, so errors surface at once)
 * that already holds the platform registry, as the app has it after its
 * first GET /platforms.
 */
export function renderWithClient(ui: ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  client.setQueryData(queryKeys.platforms, { items: platformRegistry() });
  return { client, ...render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>) };
}

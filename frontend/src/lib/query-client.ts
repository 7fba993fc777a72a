import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { notifyError } from "@/lib/api/errors";
import { ApiError } from "@/lib/api/problem";

declare module "@tanstack/react-query" {
  interface Register {
    queryMeta: { silent?: boolean };
    // handlesErrors: the caller shows the error itself (field errors on a form).
    mutationMeta: { handlesErrors?: boolean };
  }
}

export function createQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (err, query) => {
        if (!query.meta?.silent) notifyError(err);
      },
    }),
    mutationCache: new MutationCache({
      onError: (err, _vars, _ctx, mutation) => {
        if (!mutation.meta?.handlesErrors) notifyError(err);
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // A 4xx will not get better by asking again.
        retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}

import type { components } from "@/lib/api/schema";

export type Problem = components["schemas"]["Problem"] & Record<string, unknown>;

/** An API answer that was not 2xx, carrying its RFC 9457 problem details. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  get fieldErrors() {
    return this.problem.errors ?? [];
  }
}

/** Turns whatever an error response had in its body into a Problem. */
export function toProblem(body: unknown, response: Response): Problem {
  if (body && typeof body === "object" && "title" in body && "status" in body) return body as Problem;
  // Not one of ours (a proxy's error page): RFC 9457's "about:blank".
  return {
    type: "about:blank" as Problem["type"],
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: typeof body === "string" && body && body.length < 300 ? body : undefined,
  };
}

export function isApiError(err: unknown, status?: number): err is ApiError {
  return err instanceof ApiError && (status === undefined || err.status === status);
}

/** The problem behind an error, when it is an API answer. */
export function problemOf(err: unknown): Problem | null {
  return err instanceof ApiError ? err.problem : null;
}

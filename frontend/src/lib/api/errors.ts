import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import { toast } from "sonner";
import { ApiError } from "@/lib/api/problem";

/** Shows an error as a toast: the problem's title and detail, or a generic line. */
export function notifyError(err: unknown) {
  if (err instanceof ApiError) {
    if (err.status === 401) return; // the client is already on its way to the login page
    const p = err.problem;
    const fields = (p.errors ?? []).map((e) => `${e.field}: ${e.message}`).join("; ");
    toast.error(p.title, { id: `${p.status}:${p.type}:${p.detail ?? ""}`, description: [p.detail, fields].filter(Boolean).join(" — ") || undefined });
    return;
  }
  if (err instanceof TypeError) return; // network failure, toasted once by the client
  toast.error("Something went wrong", { description: err instanceof Error ? err.message : String(err) });
}

/**
 * The form's half of the error path: each `errors[].field` of a problem that
 * names a field of this form becomes that field's error; anything else
 * (another status, or fields the form does not have) becomes a toast.
 * `aliases` maps server paths to form fields when they differ; with `root`,
 * a 4xx problem without field errors is shown on the form itself
 * (`errors.root.server`) instead of a toast. Returns the form fields that
 * got an error.
 */
export function applyServerErrors<T extends FieldValues>(
  err: unknown,
  setError: UseFormSetError<T>,
  fields: readonly string[],
  { aliases = {}, root = false }: { aliases?: Record<string, string>; root?: boolean } = {},
): string[] {
  if (root && err instanceof ApiError && err.fieldErrors.length === 0 && err.status < 500) {
    setError("root.server" as Path<T>, { type: String(err.status), message: err.problem.detail || err.problem.title });
    return ["root.server"];
  }
  if (!(err instanceof ApiError) || err.fieldErrors.length === 0) {
    notifyError(err);
    return [];
  }
  const mapped: string[] = [];
  const rest: string[] = [];
  for (const fe of err.fieldErrors) {
    const name = resolveField(fe.field, fields, aliases);
    if (name) {
      setError(name as Path<T>, { type: "server", message: fe.message }, { shouldFocus: mapped.length === 0 });
      mapped.push(name);
    } else rest.push(`${fe.field}: ${fe.message}`);
  }
  if (rest.length > 0 || mapped.length === 0) {
    toast.error(err.problem.title, { description: [err.problem.detail, ...rest].filter(Boolean).join(" — ") });
  }
  return mapped;
}

// "options.subtitles.languages[1]" → the longest registered prefix.
function resolveField(field: string, fields: readonly string[], aliases: Record<string, string>) {
  let path = field.replace(/\[\d+\]/g, "");
  while (path) {
    if (aliases[path]) return aliases[path];
    if (fields.includes(path)) return path;
    const dot = path.lastIndexOf(".");
    path = dot > 0 ? path.slice(0, dot) : "";
  }
  return undefined;
}

import { Loader2Icon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { useLibraryRelayout } from "@/features/settings/api/get-library-relayout";
import { useStartLibraryRelayout } from "@/features/settings/api/start-library-relayout";

/**
 * Moves the files already in the library to the saved layout: the last
 * move's progress, and a button that starts (or resumes) one.
 */
export function LibraryRelayout({ dirty }: { dirty: boolean }) {
  const { data } = useLibraryRelayout();
  const start = useStartLibraryRelayout();
  const op = data && typeof data === "object" && "status" in data ? data : null;
  const running = op?.status === "running";
  const interrupted = op?.status === "interrupted";
  return (
    <div className="flex flex-col gap-2 rounded-md border p-3 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <p className="font-medium">Existing files</p>
          <p className="text-muted-foreground">New downloads follow the layout; this moves what is already in the library to the saved layout.</p>
        </div>
        <Button type="button" variant="outline" disabled={dirty || running || start.isPending} onClick={() => start.mutate()}>
          {(running || start.isPending) && <Loader2Icon className="animate-spin" aria-hidden />}
          {interrupted ? "Resume moving files" : "Move existing files"}
        </Button>
      </div>
      {dirty && <p className="text-muted-foreground">Save the layout first.</p>}
      {op && (
        <p role="status">
          {op.status === "completed" ? "Last move finished" : running ? "Moving files" : "Move interrupted"}
          {`: ${op.done} of ${op.total} downloads handled, ${op.moved} moved`}
          {op.failed > 0 && `, ${op.failed} failed`}.
        </p>
      )}
      {op && op.failures.length > 0 && (
        <ul className="text-destructive list-disc pl-5">
          {op.failures.slice(0, 5).map((f) => (
            <li key={f.download_id}>
              Download {f.download_id.slice(0, 8)}: {f.error}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

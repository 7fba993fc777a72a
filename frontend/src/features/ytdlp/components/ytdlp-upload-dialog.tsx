import { Loader2Icon, UploadIcon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { ApiError } from "@/lib/api/problem";
import { type ReleaseFiles, useInstallYtdlp } from "@/features/ytdlp/api/install-ytdlp";

const fields: { key: keyof ReleaseFiles; label: string; hint: string }[] = [
  { key: "file", label: "Build", hint: "yt-dlp_linux (or yt-dlp_linux_aarch64 on ARM)" },
  { key: "sums", label: "SHA2-256SUMS", hint: "from the same release" },
  { key: "sig", label: "SHA2-256SUMS.sig", hint: "its signature" },
];

/** For installs without internet: a release's files, verified like a download, installed on this node. */
export function YtdlpUploadDialog({ node }: { node: string }) {
  const [open, setOpen] = useState(false);
  const [files, setFiles] = useState<Partial<ReleaseFiles>>({});
  const [error, setError] = useState<string | null>(null);
  const install = useInstallYtdlp();
  const ready = fields.every((f) => files[f.key]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    setError(null);
    try {
      const n = await install.mutateAsync(files as ReleaseFiles);
      toast.success(`yt-dlp ${n.active.version ?? ""} installed on ${n.node}`);
      setOpen(false);
      setFiles({});
    } catch (err) {
      setError(err instanceof ApiError ? err.problem.detail || err.problem.title : String(err));
    }
  };

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <UploadIcon aria-hidden /> Upload release files
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Install yt-dlp from files</DialogTitle>
            <DialogDescription>
              Download a release's files from github.com/yt-dlp/yt-dlp/releases on another machine. They are checked against yt-dlp's
              signing key and installed on {node}, the node serving this page.
            </DialogDescription>
          </DialogHeader>
          {fields.map((f) => (
            <div key={f.key} className="grid gap-1.5">
              <Label htmlFor={`ytdlp-upload-${f.key}`}>{f.label}</Label>
              <Input
                id={`ytdlp-upload-${f.key}`}
                type="file"
                aria-describedby={`ytdlp-upload-${f.key}-hint`}
                onChange={(e) => setFiles((s) => ({ ...s, [f.key]: e.target.files?.[0] }))}
              />
              <p id={`ytdlp-upload-${f.key}-hint`} className="text-xs text-muted-foreground">
                {f.hint}
              </p>
            </div>
          ))}
          {error && (
            <p role="alert" className="text-sm text-destructive">
              {error}
            </p>
          )}
          <DialogFooter>
            <Button type="submit" disabled={!ready || install.isPending}>
              {install.isPending && <Loader2Icon className="animate-spin" aria-hidden />} Verify and install
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

import { zodResolver } from "@hookform/resolvers/zod";
import { Loader2Icon } from "lucide-react";
import { Controller, useForm } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Label } from "@/components/ui/label";
import { byteUnits, UnitInput } from "@/components/ui/unit-input";
import type { Schemas } from "@/lib/api/client";
import { applyServerErrors } from "@/lib/api/errors";
import { formatBytes } from "@/lib/format";
import { useUpdateUser } from "@/features/users/api/update-user";

const schema = z
  .object({ use_default: z.boolean(), storage_quota_bytes: z.number().nullable() })
  .refine((v) => v.use_default || (v.storage_quota_bytes != null && Number.isFinite(v.storage_quota_bytes) && v.storage_quota_bytes >= 0), {
    path: ["storage_quota_bytes"],
    message: "Enter a size, or use the default",
  });
type Values = z.infer<typeof schema>;

const initial = (u: Schemas["User"]): Values => ({ use_default: u.storage_quota_bytes == null, storage_quota_bytes: u.storage_quota_bytes ?? 50 * 1024 ** 3 });

/** A user's own storage quota, or back to the global default. */
export function QuotaDialog({
  user,
  defaultQuota,
  open,
  onOpenChange,
}: {
  user: Schemas["User"];
  /** The global default (`undefined` while unknown, `null` for none). */
  defaultQuota: number | null | undefined;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const form = useForm<Values>({ resolver: zodResolver(schema), values: initial(user) });
  const update = useUpdateUser();
  const useDefault = form.watch("use_default");
  const { errors, isSubmitting } = form.formState;
  const who = user.name || user.email;
  const defaultText = defaultQuota === undefined ? "" : defaultQuota === null ? " (no quota)" : ` (${formatBytes(defaultQuota)})`;

  const save = form.handleSubmit(async (v) => {
    const value = v.use_default ? null : v.storage_quota_bytes;
    try {
      await update.mutateAsync({ id: user.id, body: { storage_quota_bytes: value } });
      toast.success(`Quota of ${who} saved`, { description: value == null ? `The default applies${defaultText}.` : formatBytes(value) });
      onOpenChange(false);
    } catch (err) {
      applyServerErrors(err, form.setError, ["storage_quota_bytes"]);
    }
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (o) form.reset(initial(user));
        onOpenChange(o);
      }}
    >
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Storage quota of {who}</DialogTitle>
          <DialogDescription>Past the quota, their new downloads are refused until they free space.</DialogDescription>
        </DialogHeader>
        <form onSubmit={save} noValidate className="grid gap-4">
          <Controller
            control={form.control}
            name="use_default"
            render={({ field }) => (
              <div className="flex items-center gap-2">
                <Checkbox id="quota-default" checked={field.value} onCheckedChange={(v) => field.onChange(v === true)} />
                <Label htmlFor="quota-default" className="font-normal">
                  Use the default quota{defaultText}
                </Label>
              </div>
            )}
          />
          {!useDefault && (
            <FormField id="quota-size" label="Quota" error={errors.storage_quota_bytes?.message}>
              {(a) => (
                <Controller
                  control={form.control}
                  name="storage_quota_bytes"
                  render={({ field }) => <UnitInput {...a} value={field.value} onChange={field.onChange} units={byteUnits} unitLabel="Unit of the quota" />}
                />
              )}
            </FormField>
          )}
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting && <Loader2Icon className="animate-spin" aria-hidden />}
              Save quota
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

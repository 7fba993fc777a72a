import { cva, type VariantProps } from "class-variance-authority";
import { AlertTriangleIcon, CircleCheckIcon, InfoIcon, OctagonAlertIcon } from "lucide-react";
import type * as React from "react";
import { cn } from "@/lib/utils";

const alertVariants = cva("flex items-start gap-2 rounded-md border p-3 text-sm [&>svg]:mt-0.5 [&>svg]:size-4 [&>svg]:shrink-0", {
  variants: {
    variant: {
      info: "border-border bg-muted/50 text-foreground",
      success: "border-success/40 bg-success/10 text-foreground [&>svg]:text-success",
      warning: "border-warning/50 bg-warning/10 text-foreground [&>svg]:text-warning",
      destructive: "border-destructive/40 bg-destructive/10 text-destructive",
    },
  },
  defaultVariants: { variant: "info" },
});

const icons = { info: InfoIcon, success: CircleCheckIcon, warning: AlertTriangleIcon, destructive: OctagonAlertIcon };

/** A message in the flow of the page: a title, its text and an optional action. */
export function Alert({
  className,
  variant,
  title,
  action,
  children,
  ...props
}: Omit<React.ComponentProps<"div">, "title"> & VariantProps<typeof alertVariants> & { title?: React.ReactNode; action?: React.ReactNode }) {
  const Icon = icons[variant ?? "info"];
  return (
    <div className={cn(alertVariants({ variant }), className)} {...props}>
      <Icon aria-hidden />
      <div className="grid min-w-0 flex-1 gap-0.5">
        {title && <p className="font-medium">{title}</p>}
        {children && <div className="break-words">{children}</div>}
      </div>
      {action}
    </div>
  );
}

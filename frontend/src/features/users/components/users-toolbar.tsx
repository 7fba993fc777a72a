import { SearchIcon } from "lucide-react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import type { UsersParams } from "@/features/users/api/list-users";

export type UserFilters = { q: string; role: "all" | "admin" | "user"; status: "all" | "active" | "disabled" };

export const defaultUserFilters: UserFilters = { q: "", role: "all", status: "all" };
export const allowedUserFilters = { role: ["all", "admin", "user"], status: ["all", "active", "disabled"] };

export function toUsersParams(f: UserFilters): UsersParams {
  const p: UsersParams = { limit: 50 };
  if (f.q.trim()) p.q = f.q.trim();
  if (f.role !== "all") p.role = f.role;
  if (f.status !== "all") p.disabled = f.status === "disabled";
  return p;
}

export function UsersToolbar({ value, onChange }: { value: UserFilters; onChange: (f: UserFilters) => void }) {
  const set = <K extends keyof UserFilters>(k: K, v: UserFilters[K]) => onChange({ ...value, [k]: v });
  return (
    <div className="grid grid-cols-1 gap-2 sm:grid-cols-[1fr_10rem_10rem]" role="search" aria-label="Filter users">
      <div className="relative">
        <Label htmlFor="users-q" className="sr-only">
          Search users
        </Label>
        <SearchIcon className="pointer-events-none absolute top-2.5 left-3 size-4 text-muted-foreground" aria-hidden />
        <Input id="users-q" type="search" placeholder="Search name or e-mail" className="pl-9" value={value.q} onChange={(e) => set("q", e.target.value)} />
      </div>
      <Select value={value.role} onValueChange={(v) => set("role", v as UserFilters["role"])}>
        <SelectTrigger aria-label="Role">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value="all">All roles</SelectItem>
          <SelectItem value="admin">Admins</SelectItem>
          <SelectItem value="user">Users</SelectItem>
        </SelectContent>
      </Select>
      <Select value={value.status} onValueChange={(v) => set("status", v as UserFilters["status"])}>
        <SelectTrigger aria-label="Status">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value="all">Any status</SelectItem>
          <SelectItem value="active">Active</SelectItem>
          <SelectItem value="disabled">Disabled</SelectItem>
        </SelectContent>
      </Select>
    </div>
  );
}

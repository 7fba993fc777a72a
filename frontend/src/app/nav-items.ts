import {
  ActivityIcon,
  BookOpenIcon,
  DownloadIcon,
  FolderIcon,
  KeyRoundIcon,
  LayoutDashboardIcon,
  RssIcon,
  ScrollTextIcon,
  SettingsIcon,
  UsersIcon,
} from "lucide-react";
import type { NavItem } from "@/components/layout/nav";

type Entry = NavItem & { adminOnly?: boolean };

/** The sidebar, in order. Admin-only entries are hidden from users (the API refuses them anyway). */
const entries: Entry[] = [
  { href: "/", label: "Dashboard", icon: LayoutDashboardIcon },
  { href: "/downloads", label: "Downloads", icon: DownloadIcon },
  { href: "/files", label: "Files", icon: FolderIcon },
  { href: "/subscriptions", label: "Subscriptions", icon: RssIcon },
  { href: "/api-keys", label: "API keys", icon: KeyRoundIcon },
  { href: "/logs", label: "Logs", icon: ScrollTextIcon, adminOnly: true },
  { href: "/settings", label: "Settings", icon: SettingsIcon, adminOnly: true },
  { href: "/users", label: "Users", icon: UsersIcon, adminOnly: true },
  { href: "/system", label: "System", icon: ActivityIcon },
  { href: "/swagger/", label: "API docs", icon: BookOpenIcon, external: true },
];

export function navItemsFor(role: "admin" | "user"): NavItem[] {
  return entries.filter((e) => !e.adminOnly || role === "admin");
}

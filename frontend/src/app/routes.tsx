import { type ComponentType, lazy } from "react";
import DashboardPage from "@/app/routes/dashboard";

/**
 * The signed-in pages. Each is its own chunk (React.lazy), so the first
 * visit loads only the shell and the page it lands on. The home page, where
 * most visits land, is part of the shell's chunk: lazy, its ~35 small
 * chunks were fetched only after the shell had run and the session was
 * known, and drawing it waited for them (docs/performance.md, Lighthouse).
 * To add a page: add a file under app/routes/ and a line here (and in
 * nav-items.ts).
 */
export type PageRoute = { path: string; page: ComponentType; adminOnly?: boolean };

export const pageRoutes: PageRoute[] = [
  { path: "/", page: DashboardPage },
  { path: "/downloads", page: lazy(() => import("@/app/routes/downloads")) },
  { path: "/files", page: lazy(() => import("@/app/routes/files")) },
  { path: "/subscriptions", page: lazy(() => import("@/app/routes/subscriptions")) },
  { path: "/profile", page: lazy(() => import("@/app/routes/profile")) },
  { path: "/share", page: lazy(() => import("@/app/routes/share")) },
  { path: "/system", page: lazy(() => import("@/app/routes/system")) },
  { path: "/api-keys", page: lazy(() => import("@/app/routes/api-keys")) },
  { path: "/logs", page: lazy(() => import("@/app/routes/logs")), adminOnly: true },
  { path: "/settings", page: lazy(() => import("@/app/routes/settings")), adminOnly: true },
  { path: "/users", page: lazy(() => import("@/app/routes/users")), adminOnly: true },
];

export const LoginPage = lazy(() => import("@/app/routes/login"));
export const SetupPage = lazy(() => import("@/app/routes/setup"));
export const AdminsOnlyPage = lazy(() => import("@/app/routes/admins-only"));
export const NotFoundPage = lazy(() => import("@/app/routes/not-found"));
export const InvitePage = lazy(() => import("@/app/routes/link-pages").then((m) => ({ default: m.InvitePage })));
export const ResetPasswordPage = lazy(() => import("@/app/routes/link-pages").then((m) => ({ default: m.ResetPasswordPage })));

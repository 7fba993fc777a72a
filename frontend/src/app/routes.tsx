import { type ComponentType, lazy } from "react";

/**
 * The signed-in pages. Each is its own chunk (React.lazy), so the first
 * visit loads only the shell and the page it lands on. To add a page: add a
 * file under app/routes/ and a line here (and in nav-items.ts).
 */
export type PageRoute = { path: string; page: ComponentType; adminOnly?: boolean };

const ComingSoon = lazy(() => import("@/app/routes/coming-soon"));

export const pageRoutes: PageRoute[] = [
  { path: "/", page: lazy(() => import("@/app/routes/dashboard")) },
  { path: "/downloads", page: lazy(() => import("@/app/routes/downloads")) },
  { path: "/files", page: lazy(() => import("@/app/routes/files")) },
  { path: "/profile", page: lazy(() => import("@/app/routes/profile")) },
  { path: "/system", page: lazy(() => import("@/app/routes/system")) },
  // Built by the admin-pages work; until then they say so.
  { path: "/api-keys", page: ComingSoon },
  { path: "/logs", page: ComingSoon, adminOnly: true },
  { path: "/settings", page: ComingSoon, adminOnly: true },
  { path: "/users", page: ComingSoon, adminOnly: true },
];

export const LoginPage = lazy(() => import("@/app/routes/login"));
export const SetupPage = lazy(() => import("@/app/routes/setup"));
export const NotFoundPage = lazy(() => import("@/app/routes/not-found"));

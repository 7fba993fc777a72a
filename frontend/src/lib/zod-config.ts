import { config } from "zod";

// Zod probes for eval (`new Function("")`) to compile its parsers; the CSP
// (script-src 'self') refuses it, and the refusal is a browser issue on
// every page load (Lighthouse best practices). Interpreted parsers are
// plenty for our forms. Imported first by main.tsx: modules that build
// schemas at load time must see the setting.
config({ jitless: true });

// Prints the gzip size of the JavaScript a first visit loads: the entry chunk
// and the chunks index.html preloads. Route chunks (React.lazy) are listed
// separately. Fails when the initial JS exceeds the 250 KB budget.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = "dist";
const budgetKB = 250;
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length / 1024;
const kb = (n) => `${n.toFixed(1).padStart(7)} KB`;

let total = 0;
console.log("initial JS (gzip):");
for (const f of initial) {
  const s = gz(f);
  total += s;
  console.log(`  ${kb(s)}  ${f}`);
}
console.log(`  ${kb(total)}  total (budget ${budgetKB} KB)`);
const lazy = readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js") && !initial.includes(`assets/${f}`));
console.log("lazy chunks (gzip):");
for (const f of lazy.sort()) console.log(`  ${kb(gz(`assets/${f}`))}  assets/${f}`);
if (total > budgetKB) {
  console.error(`initial JS is ${total.toFixed(1)} KB gzip, over the ${budgetKB} KB budget`);
  process.exit(1);
}

// Opens tests/notebooks/smoke.ipynb in classic Jupyter Notebook 6.4, runs all cells with
// the godl kernel in headless chromium, and checks that the text output, the execute
// result and the PNG render in the page.
//
// Usage (tests/run.sh browser does this): node notebook_ui.mjs WORKDIR, with the godl
// kernelspec installed in $JUPYTER_DATA_DIR.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const work = process.argv[2] || mkdtempSync("/tmp/godl-browser-");
const token = "godl-browser-test";

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitForServer(url, deadline) {
  while (Date.now() < deadline) {
    if (serverExited !== null) throw new Error(`jupyter-notebook exited with status ${serverExited}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`notebook server did not answer at ${url}`);
}

const nbDir = join(work, "notebooks");
mkdirSync(nbDir, { recursive: true });
copyFileSync(join(here, "..", "notebooks", "smoke.ipynb"), join(nbDir, "smoke.ipynb"));
const port = await freePort();
const serverArgs = ["--no-browser", "--ip=127.0.0.1", `--port=${port}`,
  `--NotebookApp.token=${token}`, `--notebook-dir=${nbDir}`];
if (process.getuid && process.getuid() === 0) serverArgs.push("--allow-root");
const server = spawn("jupyter-notebook", serverArgs, { stdio: ["ignore", "inherit", "inherit"] });
let serverExited = null;
server.on("exit", (code) => { serverExited = code; });
let browser;
let failed = false;
try {
  await waitForServer(`http://127.0.0.1:${port}/api/status?token=${token}`, Date.now() + 60000);
  browser = await chromium.launchPersistentContext(join(work, "chromium-profile"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`http://127.0.0.1:${port}/notebooks/smoke.ipynb?token=${token}`);
  // Wait for the kernel to be started and connected, then run everything afresh.
  await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel &&
    Jupyter.notebook.kernel.is_connected() && Jupyter.notebook.kernel.info_reply &&
    Jupyter.notebook.kernel.info_reply.implementation === "godl", null, { timeout: 60000 });
  await page.evaluate(() => {
    Jupyter.notebook.clear_all_output();
    Jupyter.notebook.execute_all_cells();
  });
  // Done when every code cell has its execution count and the kernel is idle.
  await page.waitForFunction(() => {
    const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code");
    const idle = document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
    return idle && cells.every((c) => typeof c.input_prompt_number === "number");
  }, null, { timeout: 120000 });

  const text = await page.locator(".output_area .output_stdout pre, .output_area .output_text pre").allInnerTexts();
  const all = text.join("\n");
  if (!all.includes("hello from godl")) throw new Error(`text output not rendered: ${JSON.stringify(text)}`);
  const results = await page.locator(".output_area .output_result pre").allInnerTexts();
  if (!results.some((t) => t.trim() === "42")) throw new Error(`execute result not rendered: ${JSON.stringify(results)}`);
  const errors = await page.locator(".output_area .output_error").count();
  if (errors) throw new Error(`${errors} cells rendered an error`);
  const img = page.locator('.output_area .output_png img[src^="data:image/png;base64,"]');
  await img.first().waitFor({ timeout: 10000 });
  const size = await img.first().evaluate((el) => [el.complete, el.naturalWidth, el.naturalHeight]);
  if (!size[0] || size[1] !== 64 || size[2] !== 64) throw new Error(`PNG not rendered at 64x64: ${size}`);
  console.log("ok   classic notebook: text, execute result and a 64x64 PNG rendered");
  await page.evaluate(() => Jupyter.notebook.session.delete());
} catch (e) {
  failed = true;
  console.error("FAIL", e.message);
} finally {
  if (browser) await browser.close();
  server.kill("SIGTERM");
}
process.exit(failed ? 1 : 0);

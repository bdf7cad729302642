// Headless Chromium (Debian's package, installed by test/e2e/engines/databases/install.sh),
// driven with puppeteer-core: pages under test report their console errors and page errors.
import { existsSync } from "node:fs";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

export function chromiumPath(): string {
  const candidates = [
    process.env.PIPEGEN_CHROMIUM,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found)
    throw new Error(
      "no Chromium: install Debian's chromium package (bash test/e2e/install.sh does) or set PIPEGEN_CHROMIUM",
    );
  return found;
}

export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // --no-sandbox: the tests run as root in CI; the pages are our own files.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/** A page that collects every console error and uncaught exception into `errors`. */
export async function watchedPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page: ${String(e)}`));
  page.on("requestfailed", (r) => errors.push(`request: ${r.url()} ${r.failure()?.errorText}`));
  return { page, errors };
}

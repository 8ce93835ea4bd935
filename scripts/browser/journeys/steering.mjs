// The steering dashboard (/regie, "Cijfers"): axe-core on each view, without JavaScript, and 320 px reflow.
import { readFileSync } from "node:fs";
import { newContext, signIn, screenshot } from "../harness.mjs";

export const name = "steering dashboard (steering, programme manager)";

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const views = [
    ["dashboard this month", "/regie"],
    ["dashboard this year", "/regie?period=this_year"],
    ["dashboard last month", "/regie?period=last_month"],
    ["dashboard custom period", "/regie?period=custom&from=2025-01-01&to=2025-12-31"],
    ["dashboard with a period error", "/regie?period=custom&from=2025-12-31&to=2025-01-01"],
  ];
  for (const [who, role] of [["steering", "steering"], ["programme manager", "programme_manager"]]) {
    // No JavaScript: every figure is a table (and an SVG chart) the server renders.
    const noScript = await newContext(browser, { javaScriptEnabled: false });
    const plain = await noScript.newPage();
    await signIn(plain, base, keten.user(role));
    await plain.goto(`${base}/regie?period=this_year`, { waitUntil: "load" });
    report.expect((await plain.locator("table[data-table=topics]").count()) === 1 && (await plain.locator("svg").count()) > 0, `${who}: tables and charts without JavaScript`);
    // The policy officer's download for the council letter: a real click on the link, a real Excel file.
    const [download] = await Promise.all([
      plain.waitForEvent("download"),
      plain.click("a[href^='/regie/download/all.xlsx']"),
    ]);
    const file = await download.path();
    const bytes = file ? readFileSync(file) : Buffer.alloc(0);
    report.expect(download.suggestedFilename().endsWith(".xlsx") && bytes.subarray(0, 2).toString() === "PK" && bytes.length > 5000,
      `${who}: downloads all tables as an Excel workbook`, `${download.suggestedFilename()}, ${bytes.length} bytes`);
    await noScript.close();
    // axe is injected as a script, so the checks run with JavaScript on.
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, base, keten.user(role));
    for (const [label, path] of views) {
      const response = await page.goto(base + path, { waitUntil: "load" });
      report.expect(response.status() === 200, `${who}: ${label} answers 200`, `status ${response.status()}`);
      await report.check(page, `${who}: ${label}`);
    }
    if (role === "steering") {
      // One help point of the chain, chosen through the form.
      await page.goto(`${base}/regie?period=this_year`, { waitUntil: "load" });
      const option = await page.locator("#help_point option").nth(1).getAttribute("value");
      await page.goto(`${base}/regie?period=this_year&help_point=${option}`, { waitUntil: "load" });
      await report.check(page, `${who}: one help point`);
      report.expect((await page.locator("table[data-table=topics] tbody tr").count()) > 0, `${who}: figures per topic for the year`);
      await screenshot(page, "steering-dashboard");
    }
    const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const small = await phone.newPage();
    await signIn(small, base, keten.user(role));
    for (const [label, path] of views) {
      await report.reflow(small, base + path, `${who}: ${label}`);
    }
    await phone.close();
    await context.close();
  }
}

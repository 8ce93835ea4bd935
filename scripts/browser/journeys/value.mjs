// The cost-benefit analysis (/regie/waarde, MKBA): axe-core, the page without JavaScript, and 320 px reflow.
import { newContext, signIn, screenshot } from "../harness.mjs";

export const name = "value of the help points (steering, programme manager)";

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const views = [
    ["analysis this year", "/regie/waarde?period=this_year"],
    ["analysis this month", "/regie/waarde"],
  ];
  for (const [who, role] of [["steering", "steering"], ["programme manager", "programme_manager"]]) {
    // No JavaScript: the result, the tornado (SVG and table) and every assumption come from the server.
    const noScript = await newContext(browser, { javaScriptEnabled: false });
    const plain = await noScript.newPage();
    await signIn(plain, base, keten.user(role));
    // Reached from the dashboard, for the same period.
    await plain.goto(`${base}/regie?period=this_year`, { waitUntil: "load" });
    await Promise.all([plain.waitForNavigation(), plain.click("a[href^='/regie/waarde?']")]);
    report.expect(new URL(plain.url()).pathname === "/regie/waarde" && new URL(plain.url()).searchParams.get("period") === "this_year", `${who}: the dashboard links to the analysis for its period`, plain.url());
    report.expect((await plain.locator("svg").count()) > 0 && (await plain.locator("table").count()) >= 5, `${who}: tornado chart and tables without JavaScript`);
    report.expect((await plain.locator("a[href^='/regie/waarde/mkba.xlsx']").count()) === 1, `${who}: workbook link`);
    await noScript.close();
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, base, keten.user(role));
    for (const [label, path] of views) {
      const response = await page.goto(base + path, { waitUntil: "load" });
      report.expect(response.status() === 200, `${who}: ${label} answers 200`, `status ${response.status()}`);
      await report.check(page, `${who}: ${label}`);
    }
    if (role === "steering") await screenshot(page, "value-analysis");
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

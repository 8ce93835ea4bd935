// The stakeholder map (issue 17): steering reaches it from the dashboard, reads the grid, wheel, tables and timeline
// of the demo map, puts a keten partner on it (prefilled) without JavaScript, sees a refused form keep its input,
// and every page passes axe-core and reflows at 320 px.
import { newContext, signIn, screenshot } from "../harness.mjs";

export const name = "stakeholder map (steering)";

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const plain = await newContext(browser, { javaScriptEnabled: false });
  const s = await plain.newPage();
  await signIn(s, base, keten.user("steering"));
  await s.goto(`${base}/regie?period=this_year`, { waitUntil: "load" });
  await Promise.all([s.waitForNavigation(), s.click("a[href='/regie/belanghebbenden']")]);
  report.expect(new URL(s.url()).pathname === "/regie/belanghebbenden", "steering: the dashboard links to the map", s.url());
  report.expect((await s.locator("figure svg[role=img]").count()) === 2, "steering: the grid and the sector wheel as SVG");
  report.expect((await s.locator("table").count()) >= 3, "steering: tables beside the pictures");
  report.expect((await s.locator("ol.keten-timeline li").count()) >= 3, "steering: a timeline of the demo history");
  // A keten partner not yet on the map, prefilled; first refused (no power), then saved.
  const offer = s.locator("a[href*='/regie/belanghebbenden/nieuw?'][href*='organisation=']").first();
  if ((await offer.count()) === 1) {
    await Promise.all([s.waitForNavigation(), offer.click()]);
    const name = await s.inputValue("#name");
    report.expect(name.length > 0, "steering: the partner's name is prefilled", name);
    await s.selectOption("#interest", "3");
    await s.fill("#agreements", "Afspraak uit de browsertest");
    await Promise.all([s.waitForNavigation(), s.click("form[method=post] button[type=submit]:has-text('Bewaren')")]);
    report.expect((await s.locator("#power-error").count()) === 1, "steering: a refused form says what to fix at the field");
    report.expect((await s.inputValue("#agreements")) === "Afspraak uit de browsertest", "steering: the refused form keeps the input");
    await s.selectOption("#power", "4");
    await Promise.all([s.waitForNavigation(), s.click("form[method=post] button[type=submit]:has-text('Bewaren')")]);
    report.expect(new URL(s.url()).pathname === "/regie/belanghebbenden", "steering: saved, back on the map", s.url());
  }
  await plain.close();

  const withScript = await newContext(browser);
  const sj = await withScript.newPage();
  await signIn(sj, base, keten.user("steering"));
  await sj.goto(`${base}/regie/belanghebbenden`, { waitUntil: "load" });
  await report.check(sj, "steering: stakeholder map");
  await screenshot(sj, "stakeholder-map");
  await sj.goto(`${base}/regie/belanghebbenden/nieuw`, { waitUntil: "load" });
  await report.check(sj, "steering: new stakeholder form");
  await sj.goto(`${base}/regie/belanghebbenden`, { waitUntil: "load" });
  const edit = await sj.locator("table a[href^='/regie/belanghebbenden/']").first().getAttribute("href");
  await sj.goto(base + edit, { waitUntil: "load" });
  await report.check(sj, "steering: change a stakeholder");
  await withScript.close();

  const narrow = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const n = await narrow.newPage();
  await signIn(n, base, keten.user("steering"));
  await report.reflow(n, `${base}/regie/belanghebbenden`, "steering: stakeholder map");
  await report.reflow(n, `${base}/regie/belanghebbenden/nieuw`, "steering: new stakeholder form");
  await narrow.close();
}

// The cost-benefit analysis (/regie/waarde, MKBA): axe-core, the page without JavaScript, and 320 px reflow; a policy
// officer changes an assumption in the municipality's own copy and sees the result move, and a bad value is refused
// with the input kept.
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

  // A policy officer (steering) edits the municipality's own copy (plain form posts; axe-core needs JavaScript on).
  const officerContext = await newContext(browser);
  const officer = await officerContext.newPage();
  await signIn(officer, base, keten.user("steering"));
  const figures = async () => {
    await officer.goto(`${base}/regie/waarde?period=this_year`, { waitUntil: "load" });
    const values = await officer.locator("dl.keten-figures dd").allTextContents();
    return { benefits: values[1], npv: values[4], text: (await officer.textContent("main")) || "" };
  };
  const before = await figures();
  await Promise.all([officer.waitForNavigation(), officer.click("a[href^='/regie/waarde/parameters']")]);
  report.expect(new URL(officer.url()).pathname === "/regie/waarde/parameters", "steering: the analysis links to the assumptions", officer.url());
  await report.check(officer, "steering: assumptions form");
  await officer.fill("#value_of_time-base", "20");
  await officer.fill("#value_of_time-high", "25");
  await officer.fill("#value_of_time-source", "Eigen schatting gemeente (browsertest)");
  await Promise.all([officer.waitForNavigation(), officer.click("form[action='/regie/waarde/parameters'] button[type=submit]")]);
  report.expect(new URL(officer.url()).searchParams.get("bewaard") === "1", "steering: the copy is saved as a new version", officer.url());
  report.expect(((await officer.textContent("main")) || "").includes("Versie 1 (in gebruik)"), "steering: version 1 listed");
  const after = await figures();
  report.expect(after.text.includes("het eigen model van de gemeente, versie 1"), "steering: the analysis names its own copy");
  report.expect(after.benefits !== before.benefits && after.npv !== before.npv, "steering: the result moves with the assumption", `${before.benefits} -> ${after.benefits}, ${before.npv} -> ${after.npv}`);
  report.expect(after.text.includes("Eigen schatting gemeente (browsertest)"), "steering: the new source is shown beside the figure");

  // A value that is not a number: refused, nothing saved, everything typed kept.
  await officer.goto(`${base}/regie/waarde/parameters`, { waitUntil: "load" });
  await officer.fill("#value_of_time-base", "twintig");
  await officer.fill("#value_of_time-rationale", "Mijn reden blijft staan");
  const [refused] = await Promise.all([officer.waitForNavigation(), officer.click("form[action='/regie/waarde/parameters'] button[type=submit]")]);
  report.expect(refused && refused.status() === 422, "steering: a bad value answers 422", `status ${refused && refused.status()}`);
  report.expect((await officer.inputValue("#value_of_time-base")) === "twintig", "steering: the bad value stays in its field");
  report.expect((await officer.inputValue("#value_of_time-rationale")) === "Mijn reden blijft staan", "steering: the other input stays too");
  report.expect((await officer.getAttribute("#value_of_time-base", "aria-invalid")) === "true", "steering: the field is marked invalid");
  const alert = (await officer.textContent("[role=alert]")) || "";
  report.expect(alert.includes("Er is niets bewaard") && alert.includes("Vul bij de basiswaarde een getal in"), "steering: a Dutch message says what to do", alert.slice(0, 200));
  await report.check(officer, "steering: assumptions form with an error");
  const unchanged = await figures();
  report.expect(unchanged.npv === after.npv, "steering: nothing saved after the refusal", `${after.npv} -> ${unchanged.npv}`);
  await officerContext.close();
}

// The resident's public pages: axe-core on each, the report form, 320 px reflow and
// the one-page hand-out.
import { newContext } from "../harness.mjs";

export const name = "public pages (resident)";

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const nearest = await (await fetch(`${base}/api/v1/help-points/nearest?place=3011&limit=1`)).json();
  const helpPoint = `/hulppunten/${nearest.results[0].id}`;
  const pages = [
    ["home", "/"],
    ["results for 3011", "/?plaats=3011"],
    ["results for 3011 with a topic", "/?plaats=3011&onderwerp=bankzaken&wanneer=week"],
    ["help point page", helpPoint],
    ["embed page", "/inbedden?gemeente=GM0599&onderwerp=digid&plaats=3011"],
    ["embed code page", "/inbedden/code?gemeente=GM0599"],
    ["English results", "/?plaats=3011&onderwerp=digid&lang=en"],
    ["English help point page", `${helpPoint}?lang=en`],
    ["unknown place", "/?plaats=Roterdam"],
    ["unknown place without suggestions", "/?plaats=Qqqqqq&lang=en"],
    ["nothing within 25 km", "/?plaats=Groningen"],
    ["unknown topic ignored", "/?plaats=3011&onderwerp=onbekend"],
    ["embed list without a place", "/inbedden?gemeente=GM0599&onderwerp=bankzaken"],
    ["embed with an unknown municipality", "/inbedden?gemeente=GM9999"],
    ["page not found", "/hulppunten/onbekend"],
    ["accessibility statement", "/toegankelijkheid"],
    ["sign-in page", "/aanmelden"],
  ];
  const context = await newContext(browser);
  const page = await context.newPage();
  for (const [label, path] of pages) {
    await page.goto(base + path, { waitUntil: "load" });
    await report.check(page, label);
  }
  // The report form: refused (empty) and sent.
  await page.goto(base + helpPoint);
  await page.click("form[action$='/melding'] button[type=submit]");
  await page.waitForLoadState("load");
  report.expect((await page.locator("#melding-fout").count()) === 1, "the empty report is refused with a message");
  await report.check(page, "report form with an error");
  await page.fill("#melding", "De openingstijden op zaterdag kloppen niet.");
  await page.click("form[action$='/melding'] button[type=submit]");
  await page.waitForLoadState("load");
  report.expect((await page.locator(".keten-report [role=status]").count()) === 1, "the report is confirmed");
  await report.check(page, "report sent");

  // A 320 px wide phone: nothing may scroll sideways (WCAG 1.4.10 reflow).
  const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const small = await phone.newPage();
  for (const [label, path] of pages) {
    await report.reflow(small, base + path, label);
  }
  await phone.close();

  // The hand-out: a list of 10 results, with partners' hours, prints on one A4 page.
  for (const path of ["/?plaats=3011", "/?plaats=3011&lang=nl", "/?plaats=3011&lang=en", "/?plaats=3025&onderwerp=apparaten"]) {
    await page.goto(base + path, { waitUntil: "load" });
    const results = await page.locator(".keten-result").count();
    const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
    const sheets = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
    report.expect(sheets === 1 && results === 10, `print: ${path} (${results} results on ${sheets} page(s))`, "want 10 results on 1 page");
  }
  await context.close();
}

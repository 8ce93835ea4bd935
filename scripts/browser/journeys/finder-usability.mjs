// What residents stumbled on (issue 20): after a search on a phone the answer is in view and comes before the
// form, with and without JavaScript; a help point's page prints on one sheet; the data page with its viewer works
// under keten's own Content-Security-Policy; no request for the favicon fails. axe and 320 px on the new pages.
import { newContext } from "../harness.mjs";

export const name = "finder usability (resident)";

/// Where the answer's heading stands: in view, focused, and before the form?
async function answerState(page) {
  return page.evaluate(() => {
    const heading = document.getElementById("resultaten-kop");
    const form = document.querySelector("form.keten-finder-form");
    if (!heading || !form) return { found: false };
    const r = heading.getBoundingClientRect();
    return {
      found: true,
      inView: r.top >= 0 && r.bottom <= window.innerHeight,
      focused: document.activeElement === heading,
      beforeForm: Boolean(heading.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING),
      top: Math.round(r.top),
    };
  });
}

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

  // 1. A search on a 360 px phone, by the form as a resident does it: with JavaScript, then without.
  for (const javaScriptEnabled of [true, false]) {
    const label = javaScriptEnabled ? "with JavaScript" : "without JavaScript";
    const context = await newContext(browser, { ...phone, javaScriptEnabled });
    const page = await context.newPage();
    await page.goto(`${base}/`, { waitUntil: "load" });
    for (const [typed, what] of [["3011 AB", "results"], ["", "empty place"], ["Roterdam", "unknown place"]]) {
      await page.goto(`${base}/`, { waitUntil: "load" });
      await page.fill("#plaats", typed);
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("form.keten-finder-form button[type=submit]")]);
      await page.waitForTimeout(100);
      const s = await answerState(page);
      report.expect(s.found && s.beforeForm, `360 px ${label}: ${what}: the answer comes before the form`, JSON.stringify(s));
      report.expect(s.found && s.inView, `360 px ${label}: ${what}: its heading is in view`, JSON.stringify(s));
      if (javaScriptEnabled) {
        report.expect(s.found && s.focused, `360 px ${label}: ${what}: its heading has the focus`, JSON.stringify(s));
      }
    }
    // axe runs as a script: only where scripts run.
    if (javaScriptEnabled) await report.check(page, `finder answer on a phone ${label}`);
    await context.close();
  }

  // 9. A help point's page prints on one sheet, without the forms, map links and footer.
  const context = await newContext(browser);
  const page = await context.newPage();
  const missing = [];
  page.on("response", (r) => { if (r.status() === 404) missing.push(new URL(r.url()).pathname); });
  const nearest = await (await fetch(`${base}/api/v1/help-points/nearest?place=3011&limit=3`)).json();
  for (const result of nearest.results) {
    await page.goto(`${base}/hulppunten/${result.id}?onderwerp=digid&pc4=3011`, { waitUntil: "load" });
    const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
    const sheets = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
    report.expect(sheets === 1, `print: ${result.name} on ${sheets} page(s)`, "want 1 page");
  }
  await report.check(page, "help point page with a carried topic");

  // 9a. The digibus has no hours of its own: its page opens with where it stands next, then its stops.
  const near = await (await fetch(`${base}/api/v1/help-points/nearest?place=3072&limit=10`)).json();
  const bus = near.results.find((r) => r.name.startsWith("Digibus"));
  report.expect(Boolean(bus), "the digibus is found near 3072", JSON.stringify(near.results.map((r) => r.name)));
  if (bus) {
    const busPage = await context.newPage();
    await busPage.goto(`${base}/hulppunten/${bus.id}?lang=nl`, { waitUntil: "load" });
    const first = (await busPage.locator("main h1 + p strong").first().textContent()) || "";
    report.expect(first.includes(", bij "), "mobile help point: it opens with where it stands next", first);
    report.expect((await busPage.locator("main table").count()) === 0, "mobile help point: no week of 'gesloten'");
    await report.check(busPage, "mobile help point page");
    await busPage.close();
  }

  // 11. "Ik wil hulp" opens with the topic and PC4 of the search.
  await page.click("a[href^='/ik-wil-hulp?']");
  await page.waitForLoadState("load");
  report.expect(await page.isChecked("#topic-digid"), "ik wil hulp: the topic is carried over");
  report.expect((await page.inputValue("#pc4")) === "3011", "ik wil hulp: the PC4 is carried over");
  await report.check(page, "ik wil hulp with a carried topic");
  // Sent without name and phone: the messages stand by their fields, and the summary links lead there.
  await Promise.all([page.waitForNavigation(), page.click("form:has(#resident_name) button[type=submit]")]);
  report.expect((await page.locator(".utrecht-form-field-error-message").count()) >= 2, "ik wil hulp refused: messages by the fields");
  report.expect((await page.locator("[role=alert] a[href='#resident_name']").count()) === 1, "ik wil hulp refused: the summary links to the name");
  report.expect(await page.isChecked("#topic-digid"), "ik wil hulp refused: the topic is kept");
  await report.check(page, "ik wil hulp refused");
  // The resident asks to be called back (in the language chosen earlier): name, phone number, consent, send.
  await page.fill("#resident_name", "Gerda Bakker");
  await page.fill("#phone", "0612345678");
  await page.check("#consent_given");
  await Promise.all([page.waitForNavigation(), page.click("form:has(#resident_name) button[type=submit]")]);
  const answer = (await page.locator("h1").textContent()) || "";
  report.expect(answer.includes("Wij hebben uw vraag") || answer.includes("We have your question"), "ik wil hulp: the resident's request to be called back arrives", answer);
  await report.check(page, "ik wil hulp sent");

  // 12. No page load asks for something that is not there (the favicon was).
  report.expect(missing.length === 0, "no 404 while loading pages", missing.join(", "));

  // 25. The data page: readable without the viewer, and the viewer renders under keten's own CSP.
  await page.goto(`${base}/gegevens`, { waitUntil: "load" });
  await report.check(page, "data page");
  const strict = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const viewer = await strict.newPage();
  const blocked = [];
  viewer.on("console", (m) => { if (m.type() === "error") blocked.push(m.text().slice(0, 160)); });
  await viewer.goto(`${base}/gegevens`, { waitUntil: "load" });
  const rendered = await viewer.waitForSelector("#api-viewer .opblock", { timeout: 15000 }).then(() => true, () => false);
  report.expect(rendered, "data page: the OpenAPI viewer shows the operations", blocked.join(" | "));
  report.expect(blocked.length === 0, "data page: nothing blocked by the Content-Security-Policy", blocked.join(" | "));
  await strict.close();
  const noJs = await newContext(browser, { javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto(`${base}/gegevens`, { waitUntil: "load" });
  await plain.click("details.keten-api-list summary").catch(() => {});
  report.expect(await plain.locator("details.keten-api-list tbody tr").count() > 10, "data page without JavaScript lists the operations");
  await noJs.close();

  const small = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const smallPage = await small.newPage();
  for (const [label, path] of [["data page", "/gegevens"], ["empty place", "/?plaats="], ["topic on the cards", "/?plaats=3011&onderwerp=digid"]]) {
    await report.reflow(smallPage, base + path, label);
  }
  await small.close();
  await context.close();
}

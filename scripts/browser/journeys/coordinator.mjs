// A coordinator keeps the directory (issue 18): edits a help point's opening hours (a typing mistake first,
// then the right text) and imports help points from a spreadsheet made on the fly (CSV: check, then import);
// axe on each page, with and without JavaScript, 320 px and 200% zoom.
import { newContext, screenshot, signIn } from "../harness.mjs";

export const name = "coordinator: opening hours and a spreadsheet import";

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const coordinator = keten.user("coordinator");
  for (const javaScriptEnabled of [true, false]) {
    const js = javaScriptEnabled ? "" : ", no JavaScript";
    const check = async (page, label) => {
      // axe runs as a script: with JavaScript on only; without it the journey itself must work.
      if (javaScriptEnabled) await report.check(page, label);
    };
    const context = await newContext(browser, { javaScriptEnabled });
    const page = await context.newPage();
    await signIn(page, base, coordinator);
    await page.goto(`${base}/beheer/hulppunten`, { waitUntil: "load" });
    await check(page, "coordinator: my help points");
    const edit = await page.locator("table a[href^='/beheer/hulppunten/']").first().getAttribute("href");
    await page.goto(base + edit, { waitUntil: "load" });
    await check(page, "coordinator: a help point's page");

    // A typing mistake: a clear message, and the form keeps what was typed.
    const wrong = "ma-vr 10:00-25:00";
    await page.fill("#hours", wrong);
    await submit(page, `form[action='${edit}'] button[type=submit]`);
    report.expect((await page.inputValue("#hours")) === wrong, `coordinator: a wrong opening time keeps what was typed${js}`);
    report.expect((await page.locator("[role=alert]").count()) > 0, `coordinator: a wrong opening time is explained${js}`);
    await check(page, "coordinator: opening hours with an error");

    const hours = javaScriptEnabled ? "ma-vr 09:30-12:30; wo 19:00-21:00" : "di-do 10:00-16:00";
    await page.fill("#hours", hours);
    await submit(page, `form[action='${edit}'] button[type=submit]`);
    const saved = new URL(page.url()).searchParams.get("opgeslagen") === "1";
    report.expect(saved, `coordinator: opening hours saved${js}`, page.url());
    const kept = await page.inputValue("#hours");
    report.expect(kept.includes(javaScriptEnabled ? "19:00" : "10:00"), `coordinator: the new hours are on the page${js}`, kept);
    await check(page, "coordinator: help point saved");
    if (javaScriptEnabled) await screenshot(page, "coordinator-hours-saved");

    // A spreadsheet of help points, made on the fly: one row with a mistake first, then a good file.
    await page.goto(`${base}/beheer/hulppunten/inlezen`, { waitUntil: "load" });
    await check(page, "coordinator: import page");
    const row = javaScriptEnabled ? "Taalcafé Journey" : "Taalcafé Journey zonder JavaScript";
    const bad = `naam,adres,postcode,openingstijden\n${row},Hoogstraat 110,3011 PV,elke dag\n`;
    await page.setInputFiles("#bestand", { name: "hulppunten.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await submit(page, "button[name=actie][value=controleren]");
    report.expect((await page.locator("[role=alert]").count()) > 0, `coordinator: a wrong row is explained${js}`);
    await check(page, "coordinator: import check with a row error");

    const good = `naam,adres,postcode,openingstijden\n${row},Hoogstraat 110,3011 PV,di 10:00-12:00\n`;
    await page.setInputFiles("#bestand", { name: "hulppunten.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
    await submit(page, "button[name=actie][value=controleren]");
    await check(page, "coordinator: import check");
    const confirm = page.locator("form[action='/beheer/hulppunten/inlezen/opslaan'] button[type=submit]");
    report.expect((await confirm.count()) === 1, `coordinator: a checked file can be imported${js}`);
    await submit(page, "form[action='/beheer/hulppunten/inlezen/opslaan'] button[type=submit]");
    report.expect((await page.locator(".utrecht-alert--ok").count()) === 1, `coordinator: import done${js}`);
    await check(page, "coordinator: import done");
    if (javaScriptEnabled) await screenshot(page, "coordinator-import-done");
    await page.goto(`${base}/beheer/hulppunten`, { waitUntil: "load" });
    report.expect((await page.locator(`text=${row}`).count()) > 0, `coordinator: the imported help point is listed${js}`);

    if (javaScriptEnabled) {
      const phone = await browser.newContext({ viewport: { width: 320, height: 640 }, storageState: await context.storageState() });
      const small = await phone.newPage();
      await report.reflow(small, `${base}/beheer/hulppunten`, "coordinator: my help points");
      await report.reflow(small, base + edit, "coordinator: a help point's page");
      await report.reflow(small, `${base}/beheer/hulppunten/inlezen`, "coordinator: import page");
      await phone.close();
    }
    await context.close();
  }
}

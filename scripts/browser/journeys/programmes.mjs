// Programmes (issue 15): a programme manager lands on /programmas, makes a call without JavaScript, Rotterdam's
// steering applies (first with a cap error, then right), the manager runs the selection; a subsidy scheme typed
// with amounts per wave and per year; axe on every page, the public page without sign-in, and 320 px reflow.
import { newContext, signIn } from "../harness.mjs";

export const name = "programmes: call, application, selection, public page";

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  // Without JavaScript: the forms are plain HTML.
  const managerContext = await newContext(browser, { javaScriptEnabled: false });
  const manager = await managerContext.newPage();
  const landed = new URL(await signIn(manager, base, keten.user("programme_manager")));
  report.expect(landed.pathname === "/programmas", "programme manager lands on /programmas", `landed on ${landed.pathname}`);
  await manager.goto(`${base}/programmas/nieuw`);
  await manager.check("#kind-call");
  await manager.fill("#name", "Koplopers browsertest");
  await manager.check("#applicant-municipality");
  await manager.fill("#opens_on", "01-01-2026");
  await manager.fill("#closes_on", "31-12-2027");
  await manager.fill("#budget", "450.000");
  await manager.fill("#cap", "22.500");
  await manager.fill("#max_participants", "20");
  await manager.fill("#conditions", "Wij testen de methode\nWij rapporteren open");
  await submit(manager, "form[action='/programmas/nieuw'] button[type=submit]");
  const managePath = new URL(manager.url()).pathname;
  report.expect(/\/programmas\/[^/]+\/beheer$/.test(managePath), "a call made without JavaScript", managePath);
  const id = managePath.split("/")[2];

  const steeringContext = await newContext(browser, { javaScriptEnabled: false });
  const steering = await steeringContext.newPage();
  await signIn(steering, base, keten.user("steering"));
  await steering.goto(`${base}/programmas/${id}/aanvragen`);
  await steering.fill("#amount", "20.000");
  await steering.check("#amount-excl");
  await steering.fill("#proposal", "Pilot met de bibliotheek");
  await steering.check("#condition-0");
  await steering.check("#condition-1");
  await submit(steering, "form.utrecht-form button[type=submit]");
  const error = (await steering.locator(".utrecht-alert--error").textContent()) || "";
  report.expect(error.includes("€ 24.200"), "cap including VAT explained", error);
  report.expect((await steering.inputValue("#proposal")) === "Pilot met de bibliotheek", "the form keeps its input");
  await steering.fill("#amount", "18.000");
  await submit(steering, "form.utrecht-form button[type=submit]");
  const applicationPath = new URL(steering.url()).pathname;
  report.expect(applicationPath.startsWith("/aanvragen/"), "application submitted without JavaScript", applicationPath);
  await manager.goto(`${base}${managePath}`);
  await manager.fill("#seed", "2023");
  await submit(manager, "form[action$='/selectie'] button[type=submit]");

  // Money and reports without JavaScript: a grant over the cap is refused with the input kept, then awarded; the
  // manager asks for a report.
  await manager.goto(`${base}/programmas/${id}/geld`);
  await manager.fill("#amount", "30.000");
  await manager.fill("#note", "Eerste termijn na de start");
  await submit(manager, "form[action$='/subsidies'] button[type=submit]");
  const moneyError = (await manager.locator(".utrecht-alert--error").textContent()) || "";
  report.expect(moneyError.includes("meer dan het maximum"), "a grant over the cap is refused", moneyError);
  report.expect((await manager.inputValue("#note")) === "Eerste termijn na de start", "the grant form keeps its input");
  await manager.fill("#amount", "20.000");
  await submit(manager, "form[action$='/subsidies'] button[type=submit]");
  const grantPath = await manager.getAttribute("a[href^='/subsidies/']", "href");
  report.expect(Boolean(grantPath), "grant awarded without JavaScript", String(grantPath));
  await manager.goto(`${base}/programmas/${id}/verslagen`);
  await manager.fill("#title", "Tussenverslag");
  await manager.fill("#period_from", "01-01-2026");
  await manager.fill("#period_until", "30-06-2026");
  await manager.fill("#due_on", "31-07-2026");
  await submit(manager, "form[action$='/verslagen'] button[type=submit]");

  // axe runs as a script: with JavaScript on.
  const pages = [
    ["programme_manager", "programmes list", "/programmas"],
    ["programme_manager", "new programme", "/programmas/nieuw"],
    ["programme_manager", "applications", managePath],
    ["programme_manager", "one application", applicationPath],
    ["steering", "programmes list", "/programmas"],
    ["steering", "application form", `/programmas/${id}/aanvragen`],
    ["steering", "own application", applicationPath],
    ["programme_manager", "grants", `/programmas/${id}/geld`],
    ["programme_manager", "one grant", grantPath],
    ["programme_manager", "reports", `/programmas/${id}/verslagen`],
    ["programme_manager", "a participant's reports", `${applicationPath}/verslagen`],
    ["steering", "own grant", grantPath],
    ["steering", "own reports", `${applicationPath}/verslagen`],
  ];
  for (const role of ["programme_manager", "steering"]) {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, base, keten.user(role));
    for (const [who, label, path] of pages.filter((p) => p[0] === role)) {
      const response = await page.goto(base + path, { waitUntil: "load" });
      report.expect(response.status() === 200, `${who}: ${label} answers 200`, `status ${response.status()}`);
      await report.check(page, `${who}: ${label}`);
    }
    const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const small = await phone.newPage();
    await signIn(small, base, keten.user(role));
    for (const [who, label, path] of pages.filter((p) => p[0] === role)) {
      await report.reflow(small, base + path, `${who}: ${label}`);
    }
    await phone.close();
    await context.close();
  }
  const publicContext = await newContext(browser);
  const open = await publicContext.newPage();
  await open.goto(`${base}/programmas/${id}`, { waitUntil: "load" });
  const text = (await open.textContent("main")) || "";
  report.expect(text.includes("2023") && text.includes("Gemeente Rotterdam"), "public page: seed and selected participant", text.slice(0, 200));
  await report.check(open, "public programme page");
  const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
  await report.reflow(await phone.newPage(), `${base}/programmas/${id}`, "public programme page");
  await phone.close();

  // The libraries' subsidy scheme with waves (demo data): amounts per wave and per year, the kopgroep announced,
  // the withdrawn library in the manager's list.
  await manager.goto(`${base}/programmas`, { waitUntil: "load" });
  const schemeLink = manager.locator("a", { hasText: "Plan Digitale Inclusie bibliotheken 2019-2021" }).first();
  const schemeHref = (await schemeLink.count()) > 0 ? await schemeLink.getAttribute("href") : "";
  const schemeId = (schemeHref || "").split("/")[2] || "";
  report.expect(Boolean(schemeId), "the waves programme is listed", schemeHref || "no link");
  if (schemeId) {
    await open.goto(`${base}/programmas/${schemeId}`, { waitUntil: "load" });
    const scheme = (await open.textContent("main")) || "";
    report.expect(scheme.includes("Bedragen per deelnemer, per golf en per jaar") && scheme.includes("€ 20.000") && scheme.includes("€ 12.500"), "waves programme: amounts per wave and per year", scheme.slice(0, 300));
    report.expect(scheme.includes("bekend op 01-06-2019"), "waves programme: the kopgroep's announcement date");
    await report.check(open, "waves programme: public page");
    const wavesPhone = await browser.newContext({ viewport: { width: 320, height: 640 } });
    await report.reflow(await wavesPhone.newPage(), `${base}/programmas/${schemeId}`, "waves programme: public page");
    await wavesPhone.close();
    await manager.goto(`${base}/programmas/${schemeId}/beheer`, { waitUntil: "load" });
    const manage = (await manager.textContent("main")) || "";
    report.expect(manage.includes("Ingetrokken") && manage.includes("Kopgroep"), "waves programme: the withdrawn library and the kopgroep on the manager's page", manage.slice(0, 300));
  }

  // A manager types a subsidy scheme with the amount per participant spread over years, without JavaScript: a
  // year typed twice is refused on its line with the input kept (axe on the page with the error), then the
  // corrected scheme shows its table per wave and year on the manager's page.
  await manager.goto(`${base}/programmas/nieuw`);
  await manager.check("#kind-subsidy_scheme");
  await manager.fill("#name", "Regeling in golven browsertest");
  await manager.check("#applicant-library");
  await manager.fill("#opens_on", "01-01-2026");
  await manager.fill("#closes_on", "31-12-2027");
  await manager.fill("#budget", "1.200.000");
  await manager.fill("#cap", "60.000");
  await manager.fill("#max_participants", "15");
  const typedWaves = "Kopgroep; 15; 2026: 40.000, 2026: 20.000; 01-06-2026\nFase 2; 30; 25.000";
  await manager.fill("#waves", typedWaves);
  await submit(manager, "form[action='/programmas/nieuw'] button[type=submit]");
  const wavesError = (await manager.locator(".utrecht-alert--error").textContent()) || "";
  report.expect(wavesError.includes("Golf 1 (Kopgroep): het jaar 2026 staat er twee keer in"), "a year typed twice is refused on its wave", wavesError);
  report.expect((await manager.inputValue("#waves")) === typedWaves, "the wave lines are kept");
  report.expect((await manager.inputValue("#name")) === "Regeling in golven browsertest", "the other fields are kept");
  // axe runs as a script: the same refused form, sent from a page with JavaScript on.
  const managerJs = await newContext(browser);
  const managerPage = await managerJs.newPage();
  await signIn(managerPage, base, keten.user("programme_manager"));
  await managerPage.goto(`${base}/programmas/nieuw`, { waitUntil: "load" });
  await managerPage.check("#kind-subsidy_scheme");
  await managerPage.fill("#name", "Regeling in golven axe");
  await managerPage.fill("#waves", typedWaves);
  await submit(managerPage, "form[action='/programmas/nieuw'] button[type=submit]");
  await report.check(managerPage, "programme_manager: new programme form with errors");
  await manager.fill("#waves", "Kopgroep; 15; 2026: 40.000, 2027: 20.000; 01-06-2026\nFase 2; 30; 25.000");
  await submit(manager, "form[action='/programmas/nieuw'] button[type=submit]");
  const wavesPath = new URL(manager.url()).pathname;
  report.expect(/\/programmas\/[^/]+\/beheer$/.test(wavesPath), "a scheme with amounts per year made without JavaScript", wavesPath);
  const wavesManage = (await manager.textContent("main")) || "";
  report.expect(wavesManage.includes("Bedragen per deelnemer, per golf en per jaar") && wavesManage.includes("€ 40.000") && wavesManage.includes("€ 60.000"), "the manager sees the amounts per wave and per year", wavesManage.slice(0, 300));
  await managerPage.goto(base + wavesPath, { waitUntil: "load" });
  await report.check(managerPage, "programme_manager: scheme with amounts per year");
  await managerJs.close();
  const wavesManagerPhone = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const wavesSmall = await wavesManagerPhone.newPage();
  await signIn(wavesSmall, base, keten.user("programme_manager"));
  await report.reflow(wavesSmall, `${base}/programmas/nieuw`, "programme_manager: new programme form");
  await report.reflow(wavesSmall, base + wavesPath, "programme_manager: scheme with amounts per year");
  await wavesManagerPhone.close();

  await publicContext.close();
  await managerContext.close();
  await steeringContext.close();
}

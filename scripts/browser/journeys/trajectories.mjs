// Guided trajectories (issue 16): the programme manager starts a trajectory for Rotterdam in the demo's VVSG and
// Mediawijs programme without JavaScript, records an intake that is refused (one staff member, no second one) and
// then accepted, agrees an end date and sees the days left; Rotterdam's steering sees its own trajectory. axe on
// every page, 320 px reflow.
import { newContext, signIn } from "../harness.mjs";

export const name = "trajectories: intake refused then accepted, end date, the participant's own page";

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/// A day `days` from today as dag-maand-jaar.
function dayAhead(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, "0")}-${String(d.getUTCMonth() + 1).padStart(2, "0")}-${d.getUTCFullYear()}`;
}

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const plain = await newContext(browser, { javaScriptEnabled: false });
  const m = await plain.newPage();
  await signIn(m, base, keten.user("programme_manager"));
  await m.goto(`${base}/programmas`, { waitUntil: "load" });
  const manage = await m.locator("a[href$='/beheer']:has-text('VVSG en Mediawijs')").first().getAttribute("href");
  report.expect(Boolean(manage), "manager: the demo trajectory programme is listed", String(manage));
  const programme = manage.split("/")[2];
  const listPath = `/programmas/${programme}/trajecten`;
  await m.goto(base + listPath, { waitUntil: "load" });
  const demo = (await m.textContent("main")) || "";
  report.expect(demo.includes("Stad Aalst") && demo.includes("Stad Kortrijk"), "manager: the demo's local governments at their stages", demo.slice(0, 200));

  // A trajectory for Rotterdam this year.
  await m.fill("#municipality", "Rotterdam");
  await submit(m, `form[action='${listPath}'] button[type=submit]`);
  const link = m.locator("table a[href^='/trajecten/']:has-text('Rotterdam')").first();
  report.expect((await link.count()) === 1, "manager: the trajectory is started without JavaScript", new URL(m.url()).pathname);
  const trajectory = await link.getAttribute("href");
  await m.goto(base + trajectory, { waitUntil: "load" });

  // One staff member of the local government: refused, with the rule said and the input kept.
  await m.fill("#intake-held_on", dayAhead(-7));
  await m.fill("#attendees", "An Peeters; leidinggevende\nBegeleider Mediawijs; extern");
  await m.fill("#intake-notes", "Kennismaking en verwachtingen");
  await submit(m, `form[action='${trajectory}/intake'] button[type=submit]`);
  const refused = (await m.locator(".utrecht-alert--error").textContent()) || "";
  report.expect(refused.includes("2 medewerkers"), "manager: an intake with one staff member is refused", refused);
  report.expect((await m.inputValue("#intake-notes")) === "Kennismaking en verwachtingen", "manager: the refused intake keeps its input");
  // Two staff, one a manager: recorded.
  await m.fill("#attendees", "An Peeters; leidinggevende\nBert Claes; medewerker\nBegeleider Mediawijs; extern");
  await submit(m, `form[action='${trajectory}/intake'] button[type=submit]`);
  const recorded = (await m.textContent("main")) || "";
  report.expect(new URL(m.url()).pathname === trajectory && recorded.includes("Bert Claes (Medewerker") , "manager: the intake with two staff and a manager is recorded", recorded.slice(0, 300));

  // The end date, with the days left.
  await m.fill("#end_date", dayAhead(-1));
  await submit(m, `form[action='${trajectory}/einddatum'] button[type=submit]`);
  report.expect((await m.locator(".utrecht-alert--error").count()) === 1, "manager: an end date in the past is refused");
  const end = dayAhead(90);
  await m.fill("#end_date", end);
  await submit(m, `form[action='${trajectory}/einddatum'] button[type=submit]`);
  const facts = (await m.textContent("dl.keten-facts")) || "";
  report.expect(facts.includes(end) && /nog \d+ dagen/.test(facts), "manager: the end date with the days left", facts);
  await plain.close();

  // Rotterdam's steering: its own trajectories page and the trajectory.
  const own = await newContext(browser, { javaScriptEnabled: false });
  const s = await own.newPage();
  await signIn(s, base, keten.user("steering"));
  await s.goto(`${base}/trajecten`, { waitUntil: "load" });
  const mine = s.locator(`a[href='${trajectory}']`);
  report.expect((await mine.count()) === 1, "steering: its own trajectory is listed");
  await s.goto(base + trajectory, { waitUntil: "load" });
  const seen = (await s.textContent("main")) || "";
  report.expect(seen.includes(end) && seen.includes("Voorwaarden"), "steering: sees the end date and the conditions to confirm", seen.slice(0, 300));
  report.expect((await s.locator(`form[action='${trajectory}/intake']`).count()) === 0, "steering: no intake form (that is the manager's)");
  await own.close();

  const pages = [
    ["programme_manager", "trajectories of a programme", listPath],
    ["programme_manager", "one trajectory", trajectory],
    ["steering", "own trajectories", "/trajecten"],
    ["steering", "own trajectory", trajectory],
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
    await context.close();
    const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const small = await phone.newPage();
    await signIn(small, base, keten.user(role));
    for (const [who, label, path] of pages.filter((p) => p[0] === role)) {
      await report.reflow(small, base + path, `${who}: ${label}`);
    }
    await phone.close();
  }
}

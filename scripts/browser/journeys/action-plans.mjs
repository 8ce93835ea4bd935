// Local action plans (issue 16): Rotterdam's policy officer makes a plan without JavaScript (first refused with the
// input kept), adds an action, changes the plan through its edit form and opens the print page for the council.
// axe on every page, 320 px reflow.
import { newContext, signIn } from "../harness.mjs";

export const name = "action plans: make a plan, add an action, edit, print (steering)";

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const plain = await newContext(browser, { javaScriptEnabled: false });
  const s = await plain.newPage();
  await signIn(s, base, keten.user("steering"));
  await s.goto(`${base}/regie/actieplan`, { waitUntil: "load" });
  await s.fill("#title", "Samen digitaal vaardig (browsertest)");
  await s.fill("#starts_on", "01-01-2027");
  await s.fill("#ends_on", "31-12-2026");
  await submit(s, "form[action='/regie/actieplan'] button[type=submit]");
  const refused = (await s.locator(".utrecht-alert--error").textContent()) || "";
  report.expect(refused.includes("einddatum"), "steering: a period running backwards is refused", refused);
  report.expect((await s.inputValue("#title")) === "Samen digitaal vaardig (browsertest)", "steering: the refused plan keeps its title");
  await s.fill("#starts_on", "01-01-2026");
  await s.fill("#ends_on", "31-12-2028");
  await submit(s, "form[action='/regie/actieplan'] button[type=submit]");
  const planPath = new URL(s.url()).pathname;
  report.expect(/^\/regie\/actieplan\/[^/]+$/.test(planPath), "steering: a plan made without JavaScript", planPath);

  await s.fill("#action-title", "Spreekuur digitale overheid in elke wijkbibliotheek");
  await s.check("#horizon-short");
  await s.fill("#due_on", "30-06-2027");
  await s.selectOption("#metric", { index: 1 });
  await submit(s, `form[action='${planPath}/acties'] button[type=submit]`);
  const withAction = (await s.textContent("main")) || "";
  report.expect(withAction.includes("Spreekuur digitale overheid in elke wijkbibliotheek"), "steering: the action is on the plan", withAction.slice(0, 300));

  // The edit form: refused with the input kept, then saved.
  await s.fill("#edit-title", "Samen digitaal vaardig 2026-2028");
  await s.fill("#edit-ends_on", "gisteren");
  await submit(s, `form[action='${planPath}'] button[type=submit]`);
  report.expect((await s.locator("#edit-ends_on-error").count()) === 1, "steering: the edit form says what to fix at the field");
  report.expect((await s.inputValue("#edit-title")) === "Samen digitaal vaardig 2026-2028", "steering: the refused edit keeps the input");
  await s.fill("#edit-ends_on", "31-12-2028");
  await submit(s, `form[action='${planPath}'] button[type=submit]`);
  report.expect(((await s.textContent("h1")) || "").includes("Samen digitaal vaardig 2026-2028"), "steering: the plan is changed");

  await s.goto(`${base}${planPath}/afdrukken`, { waitUntil: "load" });
  const printed = (await s.textContent("body")) || "";
  report.expect(printed.includes("Spreekuur digitale overheid in elke wijkbibliotheek"), "steering: the print page holds the action");
  await plain.close();

  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, base, keten.user("steering"));
  for (const [label, path] of [["action plans", "/regie/actieplan"], ["one plan", planPath], ["print page", `${planPath}/afdrukken`]]) {
    const response = await page.goto(base + path, { waitUntil: "load" });
    report.expect(response.status() === 200, `steering: ${label} answers 200`, `status ${response.status()}`);
    await report.check(page, `steering: ${label}`);
  }
  await context.close();
  const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const small = await phone.newPage();
  await signIn(small, base, keten.user("steering"));
  for (const [label, path] of [["action plans", "/regie/actieplan"], ["one plan", planPath], ["print page", `${planPath}/afdrukken`]]) {
    await report.reflow(small, base + path, `steering: ${label}`);
  }
  await phone.close();
}

// Events with limited places (issue 16): a resident signs up for the demo's full city safari without JavaScript
// and lands on the waiting list; on a small event the manager makes, the one with the place cancels through the
// link in the confirmation e-mail and the first on the waiting list moves up (with an e-mail). axe on the public
// page, the confirmation, the cancellation page and the manager's pages; 320 px reflow.
import { newContext, signIn } from "../harness.mjs";

export const name = "events: waiting list on a full event, the cancellation link moves the list";

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

function dayAhead(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, "0")}-${String(d.getUTCMonth() + 1).padStart(2, "0")}-${d.getUTCFullYear()}`;
}

async function signUp(page, base, event, who, email) {
  await page.goto(`${base}/evenementen/${event}`, { waitUntil: "load" });
  await page.fill("#name", who);
  await page.fill("#organisation", "Bibliotheek");
  await page.fill("#email", email);
  await page.check("#consent");
  await submit(page, `form[action='/evenementen/${event}'] button[type=submit]`);
  return (await page.textContent("h1")) || "";
}

/// The cancellation link in the e-mails to `email` (the confirmation has it; a "you moved up" mail has none).
function cancelLink(keten, email) {
  const links = keten
    .mails()
    .filter((m) => m.includes(`To: ${email}`))
    .map((m) => m.match(/\/inschrijving\/[0-9a-f]{64}/))
    .filter(Boolean);
  return links.length > 0 ? links[links.length - 1][0] : null;
}

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const managerContext = await newContext(browser, { javaScriptEnabled: false });
  const m = await managerContext.newPage();
  await signIn(m, base, keten.user("programme_manager"));
  await m.goto(`${base}/programmas`, { waitUntil: "load" });
  const manage = await m.locator("a[href$='/beheer']:has-text('Koplopers')").first().getAttribute("href");
  const programme = manage.split("/")[2];
  const listPath = `/programmas/${programme}/evenementen`;
  await m.goto(base + listPath, { waitUntil: "load" });
  const safariManage = await m.locator("a:has-text('Stadssafari')").first().getAttribute("href");
  report.expect(Boolean(safariManage), "manager: the demo's city safari is listed", String(safariManage));
  const safari = safariManage.split("/")[2];

  // A resident on the full safari: the waiting list, said plainly.
  const resident = await newContext(browser, { javaScriptEnabled: false });
  const r = await resident.newPage();
  await r.goto(`${base}/evenementen/${safari}`, { waitUntil: "load" });
  const full = (await r.textContent("main")) || "";
  report.expect(full.includes("vol"), "resident: the public page says the safari is full", full.slice(0, 300));
  const heading = await signUp(r, base, safari, "Fatima el Amrani", "fatima@voorbeeld.nl");
  report.expect(heading.includes("wachtlijst"), "resident: signing up for a full event lands on the waiting list", heading);

  // A small event: one place. Anna gets it, Bram waits; Anna cancels through her link; Bram moves up.
  await m.goto(base + listPath, { waitUntil: "load" });
  await m.fill("#title", "Werksessie browsertest");
  await m.fill("#place", "Centrale Bibliotheek, Hoogstraat 110, Rotterdam");
  await m.fill("#date", dayAhead(20));
  await m.fill("#start", "13:00");
  await m.fill("#end", "15:00");
  await m.fill("#capacity", "1");
  await submit(m, `form[action='${listPath}'] button[type=submit]`);
  const eventManage = new URL(m.url()).pathname;
  report.expect(/^\/evenementen\/[^/]+\/beheer$/.test(eventManage), "manager: an event made without JavaScript", eventManage);
  const event = eventManage.split("/")[2];
  report.expect((await signUp(r, base, event, "Anna de Vries", "anna@voorbeeld.nl")).includes("ingeschreven"), "resident: Anna has a place");
  report.expect((await signUp(r, base, event, "Bram Jansen", "bram@voorbeeld.nl")).includes("wachtlijst"), "resident: Bram is on the waiting list");
  const link = cancelLink(keten, "anna@voorbeeld.nl");
  report.expect(Boolean(link), "resident: the confirmation e-mail holds a cancellation link");
  if (link) {
    await r.goto(base + link, { waitUntil: "load" });
    await submit(r, `form[action='${link}'] button[type=submit]`);
    const done = (await r.textContent("main")) || "";
    report.expect(done.includes("U bent afgemeld"), "resident: cancelled through the link", done.slice(0, 200));
    await m.goto(base + eventManage, { waitUntil: "load" });
    const rows = (await m.textContent("main")) || "";
    const bram = m.locator("tr", { hasText: "Bram Jansen" });
    const bramRow = (await bram.count()) > 0 ? (await bram.first().textContent()) || "" : "";
    report.expect(bramRow.includes("Heeft een plaats"), "manager: Bram moved up from the waiting list", rows.slice(0, 400));
    const moved = keten.mails().some((x) => x.includes("To: bram@voorbeeld.nl") && x.includes("U heeft nu een plaats"));
    report.expect(moved, "resident: Bram gets an e-mail that he has a place now");
  }
  await resident.close();
  await managerContext.close();

  // axe with JavaScript on (it runs as a script).
  const open = await newContext(browser);
  const p = await open.newPage();
  await p.goto(`${base}/evenementen/${safari}`, { waitUntil: "load" });
  await report.check(p, "resident: public sign-up page");
  await p.fill("#name", "");
  await submit(p, `form[action='/evenementen/${safari}'] button[type=submit]`);
  report.expect((await p.locator("[aria-invalid=true]").count()) > 0, "resident: a form without name marks the fields");
  await report.check(p, "resident: sign-up form with errors");
  await signUp(p, base, event, "Cas Bakker", "cas@voorbeeld.nl");
  await report.check(p, "resident: on the waiting list");
  const bramLink = cancelLink(keten, "bram@voorbeeld.nl");
  report.expect(Boolean(bramLink), "resident: Bram's confirmation holds his cancellation link");
  if (bramLink) {
    await p.goto(base + bramLink, { waitUntil: "load" });
    await report.check(p, "resident: cancellation page");
  }
  await open.close();
  const managerChecks = await newContext(browser);
  const mc = await managerChecks.newPage();
  await signIn(mc, base, keten.user("programme_manager"));
  for (const [label, path] of [["events of a programme", listPath], ["one event", eventManage]]) {
    await mc.goto(base + path, { waitUntil: "load" });
    await report.check(mc, `manager: ${label}`);
  }
  await managerChecks.close();
  const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const small = await phone.newPage();
  await report.reflow(small, `${base}/evenementen/${safari}`, "resident: public sign-up page");
  await signIn(small, base, keten.user("programme_manager"));
  await report.reflow(small, base + listPath, "manager: events of a programme");
  await report.reflow(small, base + eventManage, "manager: one event");
  await phone.close();
}

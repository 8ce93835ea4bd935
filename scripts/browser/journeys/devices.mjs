// The device bank (issue 19): the bank's device list with filters, a device's timeline and the wipe form that
// keeps its input on error, the figures, a hand-out on loan, requests, and the donor's donation form and batches;
// axe and 320 px on each page.
import { newContext, signIn } from "../harness.mjs";

export const name = "device bank (library staff, partner)";

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const bankContext = await newContext(browser);
  const bank = await bankContext.newPage();
  await signIn(bank, base, keten.user("staff", "bibliotheek-rotterdam"));
  await bank.goto(`${base}/apparaten`, { waitUntil: "load" });
  report.expect((await bank.locator("a[href^='/apparaten/']").count()) > 3, "the bank sees its devices");
  await report.check(bank, "device bank: devices");
  await bank.selectOption("#status", "accepted");
  await Promise.all([bank.waitForNavigation(), bank.click("form[method=get] button[type=submit]")]);
  await report.check(bank, "device bank: devices filtered by status");
  const accepted = await bank.locator("table a[href^='/apparaten/']").first().getAttribute("href");
  await bank.goto(`${base}${accepted}`, { waitUntil: "load" });
  await report.check(bank, "device page with next steps and the wipe form");
  // The wipe form without a certificate: the message at the field, the typed tool kept.
  await bank.selectOption("#method", "nist_800_88_purge");
  await bank.fill("#tool", "Blancco Drive Eraser");
  await bank.fill("#wiped_on", "2026-01-05");
  await Promise.all([bank.waitForNavigation(), bank.click("form[action$='/wissen'] button[type=submit]")]);
  report.expect((await bank.inputValue("#tool")) === "Blancco Drive Eraser", "the wipe form keeps the tool typed");
  report.expect((await bank.locator("#certificate[aria-invalid=true]").count()) === 1, "the certificate field is marked");
  await report.check(bank, "device page: wipe form with an error");
  await bank.fill("#certificate", "BL-2026-0100");
  await Promise.all([bank.waitForNavigation(), bank.click("form[action$='/wissen'] button[type=submit]")]);
  report.expect((await bank.locator("text=BL-2026-0100").count()) === 1, "the wiping record is on the device page");
  await report.check(bank, "device page after the wipe");
  // Figures on the bank's page; a reserved device's hand-out on loan keeps the typed deposit on an error.
  await bank.goto(`${base}/apparaten?status=reserved`, { waitUntil: "load" });
  report.expect((await bank.locator("text=Digibank: apparaten per gemeente en donor").count()) === 1, "the bank sees its figures");
  const reserved = bank.locator("table a[href^='/apparaten/']").first();
  if ((await reserved.count()) > 0) {
    await bank.goto(`${base}${await reserved.getAttribute("href")}`, { waitUntil: "load" });
    await bank.check("#action-hand_out");
    await bank.fill("#deposit", "20");
    await bank.fill("#months", "drie jaar");
    await Promise.all([bank.waitForNavigation(), bank.click("form[action$='/stap'] button[type=submit]")]);
    report.expect((await bank.inputValue("#deposit")) === "20", "the hand-out form keeps the deposit typed");
    report.expect((await bank.locator("#months[aria-invalid=true]").count()) === 1, "the months field is marked");
    await report.check(bank, "device page: hand-out on loan with an error");
  } else {
    report.fail("the demo has a reserved device", "none listed");
  }
  // The loan rules: a wrong number keeps what was typed and is marked at its field; the hand-out starts from them.
  await bank.goto(`${base}/apparaten/uitleenregels`, { waitUntil: "load" });
  await report.check(bank, "loan rules");
  const rules = bank.locator("form[action='/apparaten/uitleenregels']").first();
  await rules.locator("input[name=months]").fill("3j");
  await Promise.all([bank.waitForNavigation(), rules.locator("button[type=submit]").click()]);
  report.expect((await bank.locator("input[name=months][aria-invalid=true]").count()) === 1, "the loan rules mark the months");
  report.expect((await bank.locator("input[name=months]").first().inputValue()) === "3j", "the loan rules keep the months typed");
  await report.check(bank, "loan rules with an error");
  await bank.locator("input[name=months]").first().fill("36");
  await Promise.all([bank.waitForNavigation(), bank.locator("form[action='/apparaten/uitleenregels'] button[type=submit]").first().click()]);
  report.expect((await bank.locator("text=De regels zijn opgeslagen.").count()) === 1, "the loan rules are saved");
  // The data offers page, with the library's help points to choose from.
  await bank.goto(`${base}/apparaten/data-aanbod`, { waitUntil: "load" });
  report.expect((await bank.locator("#help_point_id option").count()) > 1, "the library chooses where residents get an offer");
  await report.check(bank, "data offers with the offer form");
  await bank.goto(`${base}/apparaten/aanvragen`, { waitUntil: "load" });
  await report.check(bank, "device requests (bank)");
  const request = bank.locator("table a[href^='/apparaten/aanvragen/']").first();
  if ((await request.count()) > 0) {
    await bank.goto(`${base}${await request.getAttribute("href")}`, { waitUntil: "load" });
    await report.check(bank, "device request page");
  } else {
    report.fail("the demo has device requests", "none listed");
  }
  // A reserved request: the hand-out form holds the bank's terms, and a data offer can be paired.
  await bank.goto(`${base}/apparaten/aanvragen`, { waitUntil: "load" });
  let paired = false;
  for (const href of await bank.locator("table a[href^='/apparaten/aanvragen/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
    await bank.goto(`${base}${href}`, { waitUntil: "load" });
    if ((await bank.locator("#data_offer_id").count()) === 0) continue;
    await bank.selectOption("#data_offer_id", { index: 1 });
    await Promise.all([bank.waitForNavigation(), bank.click("form[action$='/data-aanbod'] button[type=submit]")]);
    report.expect((await bank.locator("text=Gekoppeld:").count()) === 1, "the data offer is paired on the request page");
    await report.check(bank, "device request page with a paired data offer");
    paired = true;
    break;
  }
  if (!paired) {
    report.fail("a demo request the bank can pair a data offer with", "none found");
  }
  await bankContext.close();

  const donorContext = await newContext(browser);
  const donor = await donorContext.newPage();
  await signIn(donor, base, keten.user("partner", "maasbank"));
  await donor.goto(`${base}/apparaten`, { waitUntil: "load" });
  report.expect((await donor.locator("a[href$='certificaten.csv']").count()) > 0, "the donor sees its batch and its certificate list");
  await report.check(donor, "device bank: the donor's batches");
  await donor.goto(`${base}/apparaten/donatie`, { waitUntil: "load" });
  await report.check(donor, "donation form");
  await donor.check("#kind-laptop");
  await donor.fill("#count", "3");
  await Promise.all([donor.waitForNavigation(), donor.click("form[action='/apparaten/donatie'] button[type=submit]")]);
  report.expect((await donor.inputValue("#count")) === "3", "the donation form keeps the count");
  await report.check(donor, "donation form with an error");
  await donor.goto(`${base}/apparaten/aanvragen`, { waitUntil: "load" });
  await report.check(donor, "device requests (partner) with the request form");
  await donorContext.close();
}

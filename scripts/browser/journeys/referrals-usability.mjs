// A warm referral from a bank to the chain and its handling by the receiver (issue 20, points 19 to 23):
// no referral to the bank itself, consent naming the receiver, the receiver's name readable in the
// select box, a deliberate outcome, a confirmation after each step; axe and 320 px on each page.
import { newContext, signIn } from "../harness.mjs";

export const name = "referrals sent and handled (partner, staff)";

/// Options whose text does not fit in their select box (measured with the select's own font).
function cutSelects(page) {
  return page.evaluate(() => {
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d");
    return [...document.querySelectorAll("select")]
      .filter((s) => s.selectedIndex >= 0)
      .filter((s) => {
        const style = getComputedStyle(s);
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = s.options[s.selectedIndex].text;
        // Padding and the arrow take about 3.5rem.
        return ctx.measureText(text).width + 56 > s.clientWidth;
      })
      .map((s) => `#${s.id}: ${s.options[s.selectedIndex].text}`);
  });
}

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const bankContext = await newContext(browser);
  const bank = await bankContext.newPage();
  await signIn(bank, base, keten.user("partner", "maasbank"));
  await bank.goto(`${base}/doorverwijzingen/nieuw`, { waitUntil: "load" });
  await report.check(bank, "referral form");
  report.expect((await bank.locator("text=de organisatie die helpt neemt").count()) === 0, "no consent text with a placeholder receiver");

  // 19: "Laat keten kiezen" for the bank's own customers does not propose the bank itself.
  await bank.check("input[name=topics][value=bankzaken]");
  await bank.selectOption("#agency", "bank");
  await bank.fill("#resident_name", "Fatima de Vries");
  await bank.fill("#phone", "0612345678");
  await bank.fill("#pc4", "3011");
  await Promise.all([bank.waitForNavigation(), bank.click("button[value=voorstel]")]);
  const alert = (await bank.locator("[role=alert]").textContent()) || "";
  report.expect(alert.includes("helpt uw eigen organisatie hierbij") && (await bank.locator(".keten-consent-text").count()) === 0, "the bank's own customer is not referred to the bank", alert);
  await report.check(bank, "referral form: the bank helps its own customers");
  // The bank chooses a help point itself; "Voorstel bekijken" names it in the consent text.
  const pick = await bank.locator("#destination optgroup[label=Hulppunten] option").first().getAttribute("value");
  await bank.selectOption("#destination", pick);
  await Promise.all([bank.waitForNavigation(), bank.click("button[value=voorstel]")]);
  const consent = (await bank.locator(".keten-consent-text").textContent()) || "";
  report.expect(consent.startsWith("Ik geef toestemming dat Maasbank") && !consent.includes("doorgeeft aan Maasbank."), "the consent text names the chosen receiver", consent);
  await report.check(bank, "referral form with a named receiver");
  // 23: the chosen receiver is readable in the select box.
  const cut = await cutSelects(bank);
  report.expect(cut.length === 0, "1280 px: select boxes show the whole choice", cut.join("; "));

  await bank.check("#consent_given");
  await bank.selectOption("#consent_method", { index: 1 });
  await bank.check("#sender_sees_progress");
  await Promise.all([bank.waitForNavigation(), bank.click("button[value=versturen]")]);
  report.expect(new URL(bank.url()).searchParams.has("verstuurd"), "sent after reading the named consent", bank.url());
  const detail = new URL(bank.url()).pathname;
  const receiver = (await bank.locator("dt:has-text('Naar') + dd").textContent()) || "";
  report.expect(!receiver.includes("Maasbank"), `sent to ${receiver.trim()}, not to the bank itself`);
  await report.check(bank, "referral sent");

  // The receiver: each step confirmed, the outcome chosen on purpose.
  const staffContext = await newContext(browser);
  const staff = await staffContext.newPage();
  await signIn(staff, base, keten.user("staff"));
  const opened = await staff.goto(base + detail, { waitUntil: "load" });
  if (opened.status() !== 200) {
    report.fail("the receiver opens the referral", `status ${opened.status()} for ${receiver.trim()}`);
  } else {
    const step = async (selector) => {
      await Promise.all([staff.waitForNavigation(), staff.click(selector)]);
      return (await staff.locator("[role=status], [role=alert]").allTextContents()).join(" ");
    };
    report.expect((await step("form:has(input[value=accept]) button")).includes("aangenomen"), "accepting is confirmed");
    await report.check(staff, "referral accepted");
    await staff.check("#reached-ja");
    report.expect((await step("form:has(input[value=contact_attempt]) button")).includes("Vastgelegd"), "a contact attempt is confirmed");
    report.expect((await staff.locator("input[name=outcome]:checked").count()) === 0, "no outcome is chosen beforehand");
    report.expect((await step("form:has(input[value=complete]) button")).includes("Kies hoe het is afgelopen"), "Afronden without an outcome is refused in Dutch");
    await report.check(staff, "completion refused");
    await staff.check("#outcome-solved");
    report.expect((await step("form:has(input[value=complete]) button")).includes("afgerond"), "completion is confirmed");
    report.expect((await staff.locator("text=Poging vastleggen").count()) + (await staff.locator("text=Aannemen vóór").count()) === 0, "nothing to do after completion");
    await report.check(staff, "referral completed");
  }

  // The sender follows its referral (the resident agreed): the bank sees that the library took it on.
  await bank.goto(base + detail, { waitUntil: "load" });
  const status = (await bank.locator("main").textContent()) || "";
  report.expect(/Afgerond|Aangenomen/.test(status), "the sender sees the referral accepted and completed");

  // Without JavaScript: a receiver picked straight from the list is named and read out before anything is sent.
  const plainContext = await newContext(browser, { javaScriptEnabled: false });
  const plain = await plainContext.newPage();
  await signIn(plain, base, keten.user("partner", "maasbank"));
  await plain.goto(`${base}/doorverwijzingen/nieuw`, { waitUntil: "load" });
  await plain.check("input[name=topics][value=digid]");
  await plain.fill("#resident_name", "Jan Jansen");
  await plain.fill("#phone", "0687654321");
  await plain.fill("#pc4", "3012");
  const direct = await plain.locator("#destination optgroup[label=Hulppunten] option").first().getAttribute("value");
  await plain.selectOption("#destination", direct);
  await plain.check("#consent_given");
  await plain.selectOption("#consent_method", { index: 1 });
  await Promise.all([plain.waitForNavigation(), plain.click("button[value=versturen]")]);
  const held = (await plain.locator("[role=alert]").textContent()) || "";
  const named = (await plain.locator(".keten-consent-text").textContent()) || "";
  report.expect(held.includes("Nog niet verstuurd") && named.startsWith("Ik geef toestemming dat Maasbank") && !new URL(plain.url()).searchParams.has("verstuurd"),
    "no JavaScript: a receiver picked from the list is named in the consent text before sending", held);
  await plain.check("#consent_given");
  await Promise.all([plain.waitForNavigation(), plain.click("button[value=versturen]")]);
  report.expect(new URL(plain.url()).searchParams.has("verstuurd"), "no JavaScript: sent after the named consent was read out", plain.url());
  await plainContext.close();

  // A 320 px phone.
  const phone = await newContext(browser, { viewport: { width: 320, height: 640 } });
  const small = await phone.newPage();
  await signIn(small, base, keten.user("partner", "maasbank"));
  for (const [label, path] of [["referral form", "/doorverwijzingen/nieuw"], ["referral page", detail], ["referral inbox", "/doorverwijzingen"]]) {
    await report.reflow(small, base + path, label);
  }
  // On the phone each referral of the inbox is a card: its status and deadline in view, not off to the right.
  await small.goto(`${base}/doorverwijzingen`, { waitUntil: "load" });
  const cells = await small.locator("table.keten-table--cards td[data-label]").evaluateAll((tds) =>
    tds.map((td) => ({ right: Math.round(td.getBoundingClientRect().right), label: td.dataset.label })));
  report.expect(cells.length > 0 && cells.every((c) => c.right <= 320), "320 px: every cell of the inbox is in view", JSON.stringify(cells.slice(0, 6)));
  await report.check(small, "referral inbox on a phone");
  await phone.close();
  await staffContext.close();
  await bankContext.close();
}

// The visitor survey (issue 17): a coordinator makes a link and prints the poster, a visitor answers by touch on a
// phone without JavaScript, in Dutch and English, and steering reads the results; axe-core and 320 px reflow.
import { newContext, signIn, screenshot } from "../harness.mjs";

export const name = "visitor survey (coordinator, visitor, steering)";

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  // The coordinator: from the help point's overview to the survey page, a new link, the poster.
  const staff = await newContext(browser);
  const page = await staff.newPage();
  await signIn(page, base, keten.user("coordinator"));
  await page.goto(`${base}/balie`, { waitUntil: "load" });
  if (new URL(page.url()).pathname === "/balie") {
    await Promise.all([page.waitForNavigation(), page.click("main a[href^='/balie/']")]);
  }
  const point = new URL(page.url()).pathname.split("/")[2];
  await page.goto(`${base}/balie/${point}/overzicht`, { waitUntil: "load" });
  await Promise.all([page.waitForNavigation(), page.click(`a[href='/balie/${point}/enquete']`)]);
  await report.check(page, "coordinator: survey page");
  await page.fill("#label", "Poster bij de balie");
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]:has-text('Nieuwe enquêtelink maken')")]);
  const survey = await page.locator("a[href^='/enquete/']").first().getAttribute("href");
  report.expect(!!survey, "coordinator: a survey link is made", page.url());
  await Promise.all([page.waitForNavigation(), page.locator("a[href$='/poster']").first().click()]);
  report.expect((await page.locator(".keten-poster svg").count()) === 1, "coordinator: the poster holds the QR code");
  await report.check(page, "coordinator: A5 poster");
  await staff.close();

  // A visitor on a 360 px phone, by touch, without JavaScript.
  const phone = await newContext(browser, { javaScriptEnabled: false, viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  const visitor = await phone.newPage();
  const form = await visitor.goto(base + survey, { waitUntil: "load" });
  report.expect(form.status() === 200, "visitor: the survey opens", `status ${form.status()}`);
  for (const id of ["helped-yes", "self_next-with_help", "feeling-good", "recommend-yes", "heard_via-library", "age_band-65-74"]) {
    await visitor.tap(`label[for='${id}']`);
  }
  report.expect(await visitor.isChecked("#feeling-good"), "visitor: a tap on the pictogram's tile chooses it");
  const box = await visitor.locator(".keten-survey__option").first().boundingBox();
  report.expect(box && box.height >= 44, "visitor: touch targets at least 44 px high", JSON.stringify(box));
  await Promise.all([visitor.waitForNavigation(), visitor.click("button[type=submit]")]);
  report.expect(new URL(visitor.url()).pathname.endsWith("/bedankt"), "visitor: thanked after sending", visitor.url());
  await phone.close();
  // The same pages through axe-core (which needs JavaScript to run), in Dutch and English.
  const checked = await newContext(browser, { viewport: { width: 360, height: 740 } });
  const v = await checked.newPage();
  await v.goto(base + survey, { waitUntil: "load" });
  await report.check(v, "visitor: survey form");
  await v.goto(`${base}${survey}/bedankt`, { waitUntil: "load" });
  await report.check(v, "visitor: thanks");
  await v.goto(`${base}${survey}?lang=en`, { waitUntil: "load" });
  report.expect((await v.locator("h1").textContent()).includes("What did you think"), "visitor: the survey in English");
  await report.check(v, "visitor: survey form in English");
  await checked.close();
  const small = await browser.newContext({ viewport: { width: 320, height: 640 } });
  await report.reflow(await small.newPage(), base + survey, "visitor: survey form");
  await small.close();

  // Steering: reached from the dashboard; the results without JavaScript, and at 320 px.
  const plain = await newContext(browser, { javaScriptEnabled: false });
  const s = await plain.newPage();
  await signIn(s, base, keten.user("steering"));
  await s.goto(`${base}/regie?period=this_year`, { waitUntil: "load" });
  await Promise.all([s.waitForNavigation(), s.click("a[href^='/regie/enquete?']")]);
  report.expect(new URL(s.url()).pathname === "/regie/enquete", "steering: the dashboard links to the survey results", s.url());
  report.expect((await s.locator("table").count()) >= 7, "steering: a table per question and per help point");
  await plain.close();
  const withScript = await newContext(browser);
  const sj = await withScript.newPage();
  await signIn(sj, base, keten.user("steering"));
  await sj.goto(`${base}/regie/enquete`, { waitUntil: "load" });
  await report.check(sj, "steering: survey results");
  await screenshot(sj, "survey-results");
  await withScript.close();
  const narrow = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const n = await narrow.newPage();
  await signIn(n, base, keten.user("steering"));
  await report.reflow(n, `${base}/regie/enquete`, "steering: survey results");
  await narrow.close();
}

// "Laptop of internet nodig?" (issue 19): a resident follows the link from the finder, types a postcode without
// JavaScript, reads where the device bank is and which data offers there are, and goes on to the finder; a
// misspelt place keeps the input. axe on each page, 320 px and 200% zoom.
import { newContext } from "../harness.mjs";

export const name = "laptop or internet (resident)";

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const pages = [
    ["device and internet question", "/laptop-of-internet"],
    ["devices and offers for 3025", "/laptop-of-internet?plaats=3025"],
    ["devices and offers in English", "/laptop-of-internet?plaats=Rotterdam&lang=en"],
    ["no bank in Gent", "/laptop-of-internet?plaats=Gent"],
    ["misspelt place", "/laptop-of-internet?plaats=Roterdam"],
  ];

  // Without JavaScript, as a resident on an old phone would (axe needs JavaScript: it runs on the same pages below).
  const plain = await newContext(browser, { javaScriptEnabled: false });
  const page = await plain.newPage();
  await page.goto(`${base}/`, { waitUntil: "load" });
  const link = page.locator("a[href='/laptop-of-internet']");
  report.expect((await link.count()) === 1, "the finder links to the question");
  await Promise.all([page.waitForNavigation(), link.click()]);
  await page.fill("#plaats", "3025");
  await Promise.all([page.waitForNavigation(), page.click("form.keten-finder-form button[type=submit]")]);
  report.expect(page.url().includes("plaats=3025"), "the search works without JavaScript");
  report.expect((await page.content()).includes("Bibliotheek Delfshaven"), "the bank's help points are listed, nearest first");
  report.expect((await page.locator("text=Stichting Sociaal Internet (demo)").count()) === 1, "the library's SIM offer is listed");
  report.expect((await page.locator("text=Telecombedrijf Rijnmond (demo)").count()) === 1, "the social tariff is listed");
  report.expect((await page.locator("form[method=post]").count()) === 0, "no request form: requests go through the chain");
  // On to the finder for the same place.
  await Promise.all([page.waitForNavigation(), page.click("a[href^='/?plaats=3025']")]);
  report.expect((await page.locator(".keten-result").count()) > 0, "the finder lists help points for the same place");
  // A misspelt place: kept, with a suggestion.
  await page.goto(`${base}/laptop-of-internet`, { waitUntil: "load" });
  await page.fill("#plaats", "Roterdam");
  await Promise.all([page.waitForNavigation(), page.click("form.keten-finder-form button[type=submit]")]);
  report.expect((await page.inputValue("#plaats")) === "Roterdam", "the misspelt place is kept");
  report.expect((await page.locator("a[href*='plaats=Rotterdam']").count()) === 1, "Rotterdam is suggested");
  await plain.close();

  const context = await newContext(browser);
  const withJs = await context.newPage();
  for (const [label, path] of pages) {
    await withJs.goto(base + path, { waitUntil: "load" });
    await report.check(withJs, label);
  }
  await context.close();

  const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const small = await phone.newPage();
  for (const [label, path] of pages) {
    await report.reflow(small, base + path, label);
  }
  await phone.close();
}

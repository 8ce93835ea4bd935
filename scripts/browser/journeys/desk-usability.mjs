// The registration desk with the keyboard only (issue 20, points 13 to 18): the keystrokes for the
// common question (topic, minutes, save), focus on the first topic on load and after each action,
// Enter in "Ander aantal minuten" saves, the help-point switch as one disclosure, labels that wrap,
// the form using a wide screen; axe and 320 px on each desk page.
import { newContext, screenshot, signIn } from "../harness.mjs";

export const name = "desk with the keyboard (staff)";

/// The help point's desk address: straight there, or the first choice on /balie.
async function openDesk(page, base) {
  await page.goto(`${base}/balie`, { waitUntil: "load" });
  if (!/\/balie\/[^/?]+$/.test(new URL(page.url()).pathname)) {
    await Promise.all([page.waitForNavigation(), page.click("main a[href^='/balie/']")]);
  }
  return new URL(page.url()).pathname;
}

/// The name and value of the focused element.
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()}[name=${el.getAttribute("name")}][value=${el.getAttribute("value")}]` : "none";
  });
}

/// The focused element once it is a field named `name`, or after 2 s whatever has focus: the browser moves
/// focus to an `autofocus` field in its next rendering step, which can come after the page's load event.
async function focusedOn(page, name) {
  await page
    .waitForFunction((n) => document.activeElement?.getAttribute("name") === n, name, { timeout: 2000 })
    .catch(() => {});
  return focused(page);
}

/// Labels of choice tiles whose text does not fit (cut off or spilling out).
function cutLabels(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll(".keten-choice")]
      .filter((label) => {
        if (label.scrollWidth > label.clientWidth + 1) return true;
        const box = label.getBoundingClientRect();
        return [...label.children].some((c) => {
          const r = c.getBoundingClientRect();
          return c.scrollWidth > c.clientWidth + 1 || r.right > box.right + 1;
        });
      })
      .map((l) => l.textContent.trim()),
  );
}

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, base, keten.user("staff"));
  const desk = await openDesk(page, base);
  await report.check(page, "desk form");

  // 13: focus starts on the first topic; the common question with the keyboard only.
  const atStart = await focusedOn(page, "q0_topic");
  report.expect(atStart.includes("q0_topic"), "focus starts on the first topic", atStart);
  const keys = ["Space", "Tab", "ArrowRight", "Enter"];
  const before = page.url();
  for (const key of keys.slice(0, -1)) await page.keyboard.press(key);
  await Promise.all([page.waitForURL((u) => u.href !== before && u.searchParams.has("bezoek")), page.keyboard.press(keys.at(-1))]);
  console.log(`      keystrokes for topic, minutes, save: ${keys.length} (${keys.join(", ")})`);
  report.expect(keys.length <= 6, `the common question takes ${keys.length} keystrokes (at most 6)`);
  report.expect((await page.locator("[role=status]").textContent()).includes("Opgeslagen"), "saved with the keyboard");
  const afterSaving = await focusedOn(page, "q0_topic");
  report.expect(afterSaving.includes("q0_topic"), "after saving, focus is on the first topic again", afterSaving);
  await report.check(page, "desk form after saving");

  // 14: Enter in "Ander aantal minuten" saves instead of adding a question.
  await page.keyboard.press("Space");
  await page.fill("#q0-minutes-other", "25");
  const typed = page.url();
  await Promise.all([page.waitForURL((u) => u.href !== typed), page.press("#q0-minutes-other", "Enter")]);
  report.expect(new URL(page.url()).searchParams.has("bezoek") && (await page.locator("[name=q1_topic]").count()) === 0, "Enter in 'Ander aantal minuten' saves");

  // 13: after "Nog een vraag bij dit bezoek", focus is on the new question's first topic; 15: undo one question.
  await page.keyboard.press("Space");
  await page.check("input[name=q0_minutes][value='10']");
  await Promise.all([page.waitForNavigation(), page.click("button[value=add]")]);
  const afterAdding = await focusedOn(page, "q1_topic");
  report.expect(afterAdding.includes("q1_topic"), "after adding a question, focus is on its first topic", afterAdding);
  await page.keyboard.press("ArrowRight");
  await page.check("input[name=q1_minutes][value='15']");
  await Promise.all([page.waitForNavigation(), page.click("button[value=save]")]);
  const undoOne = page.locator("form[action*='/vraag/'] button");
  report.expect((await undoOne.count()) === 2, "two questions saved, each with its own undo");
  await report.check(page, "saved visit with two questions");
  await Promise.all([page.waitForNavigation(), undoOne.first().click()]);
  report.expect((await page.locator("[role=status]").textContent()).includes("Eén vraag ongedaan gemaakt"), "one question undone, the other kept");

  // 13: the help-point switch is one disclosure, not a row of links before the form.
  report.expect((await page.locator("a:has-text('Wissel naar')").count()) === 0, "no row of 'Wissel naar' links");
  // 16 and 17: labels wrap; on a wide screen the form uses the width.
  await page.goto(base + desk, { waitUntil: "load" });
  const cut = await cutLabels(page);
  report.expect(cut.length === 0, "1280 px: no tile label is cut off", cut.join(", "));
  const formWidth = await page.locator("form.keten-desk-form").evaluate((f) => f.getBoundingClientRect().width);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  console.log(`      1280 px: desk form ${Math.round(formWidth)} px wide, page ${height} px tall`);
  report.expect(formWidth > 0.6 * 1280, "1280 px: the desk form uses more than 60% of the width");
  await screenshot(page, "desk-1280");

  // 18: the overview explains its periods and offers a month picker.
  await page.goto(`${base}${desk}/overzicht`, { waitUntil: "load" });
  report.expect((await page.locator("input[type=month][name=maand]").count()) === 1, "the overview has a month picker");
  report.expect((await page.locator("dt:has-text('Deze week (vanaf')").count()) === 1, "the overview says where the week starts");
  await report.check(page, "desk overview");
  await page.goto(`${base}${desk}/recent`, { waitUntil: "load" });
  await report.check(page, "desk corrections list");

  // A 320 px phone: one column, nothing sideways, labels whole.
  const phone = await newContext(browser, { viewport: { width: 320, height: 640 } });
  const small = await phone.newPage();
  await signIn(small, base, keten.user("staff"));
  for (const [label, path] of [["desk form", desk], ["desk overview", `${desk}/overzicht`]]) {
    await report.reflow(small, base + path, label);
  }
  await small.goto(base + desk, { waitUntil: "load" });
  const cutSmall = await cutLabels(small);
  report.expect(cutSmall.length === 0, "320 px: no tile label is cut off", cutSmall.join(", "));
  await screenshot(small, "desk-320");
  await phone.close();

  // Without JavaScript the same form saves.
  const plain = await newContext(browser, { javaScriptEnabled: false });
  const noJs = await plain.newPage();
  await signIn(noJs, base, keten.user("staff"));
  await noJs.goto(base + desk, { waitUntil: "load" });
  await noJs.check("input[name=q0_topic] >> nth=0");
  await noJs.check("input[name=q0_minutes][value='10']");
  await Promise.all([noJs.waitForNavigation(), noJs.click("button[value=save]")]);
  report.expect(new URL(noJs.url()).searchParams.has("bezoek"), "without JavaScript the desk saves");
  await plain.close();
  await context.close();
}

# The shell of every page: header, menu, footer, error pages.

# The name of this language in this language (for the language switch).
language-name = English

shell-skip-link = Skip to main content
shell-tagline = help with digital matters
shell-main-menu = Main menu
shell-find-help = Find help
shell-staff-sign-in = Staff sign-in
shell-footer-about = keten is open source software by and for municipalities, libraries and their partners (EUPL-1.2).
shell-accessibility = Accessibility
shell-privacy = Privacy
shell-open-data = Data for websites and systems

error-home-link = To the home page
error-not-found-heading = Page not found
error-not-found = This page does not exist, or you may not see it.
error-forbidden-heading = No access
error-forbidden = You do not have access to this page.
error-rate-limited-heading = Please wait
error-rate-limited = Too many failed attempts. Wait 15 minutes and then try again.
error-internal-heading = Something went wrong
error-internal = Something went wrong on our side. Please try again later.
error-updating-heading = Please wait
error-updating = keten is being updated. You can continue in a few minutes. Please try again then.
error-form-expired-heading = Form expired
error-form-expired = This form has expired or was not made by keten. Go back, reload the page and try again.

about-accessibility-1 = Everyone must be able to use this website. Also if you see poorly, use only a keyboard or have an old phone. We follow the rules of WCAG 2.2, level AA.
about-accessibility-2 = The website also works without JavaScript. You can make the text larger in your browser. You can print every page.
about-accessibility-3 = Does something not work well for you? Ask for help at a help point or tell your municipality.
about-privacy-1 = When you look for help, you do not have to give your name or e-mail address. We do not store who you are.
about-privacy-2 = Help points count how many questions they get and what about. They do this without your name. So your municipality knows where help is needed.
about-privacy-3 = Do you ask for help yourself, or does someone refer you? Then you give permission. Only the organisations that help you see your details. We delete them when the help is finished.

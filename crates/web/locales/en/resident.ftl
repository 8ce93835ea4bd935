# "Ik wil hulp": the resident's own request to be called back, and its confirmation.

resident-title = I want help
resident-intro-nearby = Fill this in. A help point near you will then call or e-mail you. It is free.
resident-intro-point = Fill this in. { $point } will then call or e-mail you. It is free.
resident-errors-heading = Please correct this:
resident-topics = What do you want help with?
resident-reason = Anything else you want to tell us? (optional)
resident-name = Your name
resident-contact = How can we reach you? Fill in your phone number or your e-mail address.
resident-phone = Phone number
resident-email = E-mail address
resident-moment = When is the best time to call you?
resident-moment-any = Any time
resident-moment-morning = In the morning
resident-moment-afternoon = In the afternoon
resident-moment-evening = In the evening
resident-pc4 = The four digits of your postcode
resident-pc4-hint = For example 3011. Then we look for a help point nearby.
resident-consent = Yes, the help point may use my name, phone number or e-mail address and my question to help me. Nobody else gets my details. After 90 days they delete my details. I can always say that I do not want this any more.
resident-submit = Send

resident-error-consent = Tick the box if you agree that the help point uses your details. Otherwise we cannot call you back.
resident-error-name = Write down your name (at most 100 characters).
resident-error-topics = Choose what you want help with.
resident-error-contact = Fill in your phone number or your e-mail address. One of the two is enough.
resident-error-phone = Fill in a phone number with 10 digits, for example 06 12345678.
resident-error-email = This e-mail address is not right. Check that it has an @ in it.
resident-error-pc4 = Fill in the four digits of your postcode, for example 3011.
resident-error-reason = Write more briefly what you want to tell us (at most 500 characters).
resident-error-no-point = We found no help point nearby for this question. Call the municipality or look for a help point in the help finder.
resident-error-other = Something in the form is not right. Please check everything again.

resident-done-title = We have your question
resident-done-next = What happens now?
resident-done-step-1 = { $organisation } receives your question.
resident-done-step-1-point = { $organisation } ({ $point }) receives your question.
resident-done-step-2 = They will call or e-mail you by { $date } at the latest.
resident-done-step-3 = Together you agree how they will help you.
resident-done-withdraw = Do you no longer want help? Say so when they call. Then they delete your details.
resident-done-back = Back to the help finder

resident-wait-title = Please wait
resident-wait = Many requests were sent from your internet connection at once. Please try again in { $minutes } minutes.
resident-wait-help = Do you need help now? Visit or call a help point.

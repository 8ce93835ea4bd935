# The visitor impact survey: the public form behind a help point's QR code, and its answers.

survey-title = What did you think of the help?
survey-intro = { $point } would like to know if the help was good. It takes 1 minute.
survey-anonymous = You do not need to give your name. We only keep your answers and the day. Not who you are, not your IP address and not the time.
survey-skip = You may skip a question.
survey-submit = Send
survey-errors-heading = Please fix this:
survey-error-empty = Choose an answer to at least one question.
survey-error-value = Choose one of the answers.
survey-error-cookie = Your browser did not send a cookie. We use one cookie so that nobody can fill this in very often. Please press Send once more.

survey-q-helped = Did you get help today?
survey-q-self_next = Can you do it yourself next time?
survey-q-feeling = How did you feel about the help?
survey-q-recommend = Will you come back? Or tell others about us?
survey-q-heard_via = How did you hear about this help point?
survey-q-age_band = How old are you?

survey-opt-helped-yes = Yes
survey-opt-helped-partly = A little
survey-opt-helped-no = No
survey-opt-self_next-yes = Yes, I can do it myself
survey-opt-self_next-with_help = With a little help
survey-opt-self_next-no = No, not yet
survey-opt-feeling-good = Good
survey-opt-feeling-neutral = Okay
survey-opt-feeling-bad = Not good
survey-opt-recommend-yes = Yes
survey-opt-recommend-maybe = Maybe
survey-opt-recommend-no = No
survey-opt-heard_via-library = At the library
survey-opt-heard_via-municipality = From the municipality
survey-opt-heard_via-organisation = Another organisation sent me
survey-opt-heard_via-family_friends = From family, friends or neighbours
survey-opt-heard_via-internet = On the internet
survey-opt-heard_via-other = Other
survey-opt-age_band-0-17 = Under 18
survey-opt-age_band-18-34 = 18 to 34
survey-opt-age_band-35-49 = 35 to 49
survey-opt-age_band-50-64 = 50 to 64
survey-opt-age_band-65-74 = 65 to 74
survey-opt-age_band-75plus = 75 or older

survey-thanks-title = Thank you!
survey-thanks-text = Your answers have been saved. This helps { $point } make the help even better.
survey-thanks-again = Let someone else take part
survey-wait-title = You just took part
survey-wait-text = Thank you! Does someone else want to take part on this device? Please wait one minute.
survey-full-title = It is very busy right now
survey-full-text = Very many answers were given this hour. Please try again later.
survey-gone = This survey is closed. Ask the help point for a new one.

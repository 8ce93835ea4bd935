-- Topics of one country only: DigiD, Belastingen en toeslagen and Studiefinanciering are Dutch services, itsme,
-- Tax-on-web, MyMinfin and e-loket Belgian ones (seeded from keten_core::help_question::DEFAULT_TOPICS).
-- NULL: offered in both countries (and every topic an admin adds).
ALTER TABLE topics ADD COLUMN country TEXT;
UPDATE topics SET country = 'NL' WHERE code IN ('digid', 'belastingen-toeslagen', 'studie');

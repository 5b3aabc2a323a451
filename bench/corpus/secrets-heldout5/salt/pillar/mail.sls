#!jinja|yaml|gpg
mail:
  relay: smtp.mailgun.org
  relay_user: postmaster@mg.acme-shop.io
  relay_password: |
    -----BEGIN PGP MESSAGE-----

    ss5StJtqrYe1KO/rHS4uS/emtryXldZjo1Tkh9lOlNNIuM8OzBtbYeSNvu3SKagH
    KZFG3YXyp/BWtb1dEVhcyNJa3Iichw4nCVWx46E9ye43YqZDRBo09/MeN2lZqhxr
    aXCwRe2Ov7NgKYqkZ44veazZwTlb3CTs41T1Q3TuihQwrGLVO1trnui6s4RR0PJG
    kb5Ch4FNf3xf4ODbF6ya4Mk9CC4MHB+cNGD/69oow5+p+CmXbELhmzDhEtYyjWyS
    NAO4b+Q4h6gCvuoUhu1mPiUS/JEf4el24RAPJ8T0928lE6OIUHTeDMzZmDtY7d+Z
    =koTw
    -----END PGP MESSAGE-----
  mailgun_api_key: key-43dbe5d3bbb77bab78233fa7eedabede

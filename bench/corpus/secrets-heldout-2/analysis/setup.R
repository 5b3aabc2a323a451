Sys.setenv(OPENAI_API_KEY = "sk-proj-MYYAppUPlRhLiE7rE0AhqXmskfFg03B5PxV1VUbH_leMDW3EkVvk1L5wT3BlbkFJJ0pg1aCWyJpeNs2Dfn54IFOm9kFxjAAZOhE-Ko5QVsm7PugCe9ZrSyT4")
con <- dbConnect(RPostgres::Postgres(), dbname = "dwh", user = "analyst", password = "AfHeuRrmbwtdpTCe")
pw <- rstudioapi::askForPassword("Database password")

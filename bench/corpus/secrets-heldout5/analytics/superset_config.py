import os

ROW_LIMIT = 5000
SECRET_KEY = "VKK0vUSsHfkgMaSoroQunQsYF9fycOIMvDNv53SgUH6wYOW5Wmpwa6yU"
SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://superset:cobalt@7798Lmuet@analytics-db:5432/superset"
MAPBOX_API_KEY = os.getenv("MAPBOX_API_KEY", "")
FEATURE_FLAGS = {"ENABLE_TEMPLATE_PROCESSING": True}

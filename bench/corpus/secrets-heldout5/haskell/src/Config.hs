module Config (AppConfig(..), defaultConfig) where

import qualified Data.Text as T

data AppConfig = AppConfig { dbPassword :: T.Text, sessionKey :: T.Text, port :: Int }

defaultConfig :: AppConfig
defaultConfig = AppConfig
  { dbPassword = "Kestrel%8793zTUiM"
  , sessionKey = T.pack "BJ2dz4hzRKyTW87KoyzYQ8lQkYXNfioLD0hRO0vY"
  , port = 3000
  }

passwordField :: T.Text
passwordField = "password"

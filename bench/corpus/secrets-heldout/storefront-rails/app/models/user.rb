class User < ApplicationRecord
  has_secure_password
  validates :password, length: { minimum: 12 }, if: :password_required?
  PASSWORD_FORMAT = /\A(?=.*\d)(?=.*[a-z])(?=.*[A-Z])/x

  def regenerate_api_token
    update!(api_token: SecureRandom.hex(20))
  end
end

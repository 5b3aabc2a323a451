require 'sinatra'
configure do
  enable :sessions
  set :session_secret, '00caf57b1cb4571b21e5db9cfabf19b56c96863fe7224aea594be373f6801ad4'
  set :public_folder, File.join(__dir__, 'public')
end

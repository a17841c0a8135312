# sync — uk

# sync — en
